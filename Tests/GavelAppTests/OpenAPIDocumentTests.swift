import Foundation
import Testing
import Yams

@testable import GavelApp

/// `openapi.yaml` is the API's single source of truth: it and the router must list the same
/// operations.
@Suite("OpenAPI document")
struct OpenAPIDocumentTests {
    static let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    func document() throws -> [String: Any] {
        let url = WebTests.resources.appendingPathComponent("openapi.yaml")
        let text = try String(contentsOf: url, encoding: .utf8)
        return try #require(try Yams.load(yaml: text) as? [String: Any])
    }

    @Test("every served route is described, and every described operation is served")
    func routesMatch() async throws {
        let document = try document()
        #expect((document["openapi"] as? String)?.hasPrefix("3.1") == true)
        let paths = try #require(document["paths"] as? [String: Any])
        var described: Set<String> = []
        for (path, item) in paths {
            let operations = try #require(item as? [String: Any], "\(path)")
            for method in operations.keys where Self.methods.contains(method) {
                described.insert("\(method.uppercased()) \(path)")
            }
        }
        let config = try await TestApp.config()
        let service = try await buildApplication(config: config, logger: TestApp.logger)
        let served = Set(service.routes.routes.map { "\($0.method) \($0.template)" })
        #expect(!served.isEmpty)
        let undocumented = served.subtracting(described).sorted()
        let unserved = described.subtracting(served).sorted()
        #expect(undocumented.isEmpty, "served but not in openapi.yaml: \(undocumented)")
        #expect(unserved.isEmpty, "in openapi.yaml but not served: \(unserved)")
    }

    @Test("every operation has an id, a summary and at least one documented response")
    func operationsAreDescribed() throws {
        let paths = try #require(try document()["paths"] as? [String: Any])
        var ids: Set<String> = []
        for (path, item) in paths {
            for (method, value) in try #require(item as? [String: Any]) where Self.methods.contains(method) {
                let operation = try #require(value as? [String: Any], "\(method) \(path)")
                let id = try #require(operation["operationId"] as? String, "\(method) \(path) has no operationId")
                #expect(ids.insert(id).inserted, "duplicate operationId \(id)")
                #expect(operation["summary"] is String, "\(method) \(path) has no summary")
                #expect(((operation["responses"] as? [String: Any])?.isEmpty ?? true) == false, "\(method) \(path)")
            }
        }
    }
}
