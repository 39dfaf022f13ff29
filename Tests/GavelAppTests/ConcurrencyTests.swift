import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import GavelApp

@Suite("Concurrent writes")
struct ConcurrencyTests {
    @Test("100 concurrent creates: distinct names all succeed, equal names have exactly one winner", arguments: [":memory:", "file"])
    func concurrentCreates(database: String) async throws {
        let path = database == "file" ? StorageTests.temporaryDatabase() : database
        let seller = try await TestUser.make()
        try await TestApp.withRouter(try await TestApp.config(database: path)) { client in
            let statuses = try await withThrowingTaskGroup(of: (Bool, HTTPResponse.Status).self) { group in
                for index in 0..<100 {
                    group.addTask {
                        let distinct = index % 2 == 0
                        let name = distinct ? "Distinct \(index)" : "Contested \(index % 3)"
                        let response = try await client.post(
                            "/api/v1/products", json: #"{"name": "\#(name)", "price": 100}"#, headers: seller.authorization)
                        return (distinct, response.status)
                    }
                }
                return try await group.reduce(into: [(Bool, HTTPResponse.Status)]()) { $0.append($1) }
            }
            let distinct = statuses.filter(\.0).map(\.1)
            let contested = statuses.filter { !$0.0 }.map(\.1)
            #expect(distinct.allSatisfy { $0 == .created })
            #expect(contested.filter { $0 == .created }.count == 3)
            #expect(contested.filter { $0 == .conflict }.count == 47)
            let list = try await client.execute(uri: "/api/v1/products?page_size=100", method: .get)
            #expect(try list.object()["total"] as? Int == 53)
            let feed = try await client.execute(uri: "/api/v1/events?limit=1000", method: .get)
            let events = try #require(try feed.object()["data"] as? [Any])
            #expect(events.count == 53)
        }
    }

    @Test("concurrent patches never lose an update: every accepted change bumps the version once")
    func concurrentPatches() async throws {
        let seller = try await TestUser.make()
        try await TestApp.withRouter { client in
            let id = try #require(try await client.createProduct(seller)["id"] as? String)
            let accepted = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<30 {
                    group.addTask {
                        let response = try await client.execute(
                            uri: "/api/v1/products/\(id)", method: .patch,
                            headers: seller.authorization + [.contentType: "application/merge-patch+json"],
                            body: ByteBuffer(string: #"{"stock": \#(index)}"#))
                        return response.status == .ok
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(accepted == 30)
            let stored = try await client.execute(uri: "/api/v1/products/\(id)", method: .get)
            #expect(try stored.object()["version"] as? Int == 31)
        }
    }
}
