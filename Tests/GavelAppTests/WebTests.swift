import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import GavelApp

@Suite("Web app, OpenAPI document and Swagger UI")
struct WebTests {
    /// `Sources/GavelApp/Resources`, found from this file's place in the package.
    static let resources = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/GavelApp/Resources")

    @Test("the demo page is served at / with the app's strict policy")
    func indexPage() async throws {
        let expected = try Data(contentsOf: Self.resources.appendingPathComponent("web/index.html"))
        try await TestApp.withRouter { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(response.headers[.contentSecurityPolicy] == WebController.appPolicy)
                #expect(response.headers[.contentSecurityPolicy]?.contains("'unsafe-inline'") == false)
                #expect(Data(buffer: response.body) == expected)
            }
        }
    }

    @Test("every file of Resources/web is served under /assets with its type")
    func everyAssetIsServed() async throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.resources.appendingPathComponent("web").path)
            .filter { $0 != "index.html" }
        #expect(!names.isEmpty)
        try await TestApp.withRouter { client in
            for name in names {
                let expected = try Data(contentsOf: Self.resources.appendingPathComponent("web/\(name)"))
                try await client.execute(uri: "/assets/\(name)", method: .get) { response in
                    #expect(response.status == .ok, "\(name)")
                    #expect(Data(buffer: response.body) == expected, "\(name)")
                    #expect(response.headers[.contentType]?.hasPrefix("text/") == true, "\(name)")
                }
            }
        }
    }

    @Test("an unknown asset is a 404 problem")
    func unknownAsset() async throws {
        try await TestApp.withRouter { client in
            for path in ["/assets/nope.js", "/assets/..%2Fopenapi.yaml", "/swagger/app.js"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .notFound, "\(path)")
                    #expect(response.headers[.contentType] == "application/problem+json", "\(path)")
                }
            }
        }
    }

    @Test("the OpenAPI document is served as YAML, byte for byte")
    func document() async throws {
        let expected = try Data(contentsOf: Self.resources.appendingPathComponent("openapi.yaml"))
        try await TestApp.withRouter { client in
            try await client.execute(uri: "/openapi.yaml", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/yaml; charset=utf-8")
                #expect(Data(buffer: response.body) == expected)
            }
        }
    }

    @Test("/swagger redirects to /swagger/, which allows only jsDelivr besides itself")
    func swagger() async throws {
        try await TestApp.withRouter { client in
            try await client.execute(uri: "/swagger", method: .get) { response in
                #expect(response.status == .movedPermanently)
                #expect(response.headers[.location] == "/swagger/")
            }
            try await client.execute(uri: "/swagger/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentSecurityPolicy] == WebController.swaggerPolicy)
            }
            try await client.execute(uri: "/swagger/swagger-init.js", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/javascript; charset=utf-8")
            }
        }
    }

    @Test("a matching If-None-Match gets 304 without a body; a stale one gets the file")
    func revalidation() async throws {
        try await TestApp.withRouter { client in
            let etag = try await client.execute(uri: "/assets/app.js", method: .get) { response in
                #expect(response.headers[.cacheControl] == "no-cache")
                return try #require(response.headers[.eTag])
            }
            try await client.execute(uri: "/assets/app.js", method: .get, headers: [.ifNoneMatch: "\"old\", \(etag)"]) { response in
                #expect(response.status == .notModified)
                #expect(response.body.readableBytes == 0)
                #expect(response.headers[.eTag] == etag)
            }
            try await client.execute(uri: "/assets/app.js", method: .get, headers: [.ifNoneMatch: "\"old\""]) { response in
                #expect(response.status == .ok)
                #expect(response.body.readableBytes > 0)
            }
        }
    }

    @Test("a write method on a page is 405 with Allow")
    func methodNotAllowed() async throws {
        try await TestApp.withRouter { client in
            try await client.execute(uri: "/openapi.yaml", method: .post) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "GET, HEAD")
            }
        }
    }
}
