import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import GavelApp

@Suite("Idempotent creation")
struct IdempotencyTests {
    let body = #"{"name": "Teapot", "price": 2500}"#

    @Test("a retry with the same key and body replays the original response")
    func replays() async throws {
        let seller = try await TestUser.make()
        try await TestApp.withRouter { client in
            let key: HTTPFields = [.idempotencyKey: "order-1"]
            let first = try await client.post("/api/v1/products", json: body, headers: seller.authorization + key)
            let second = try await client.post("/api/v1/products", json: body, headers: seller.authorization + key)
            #expect(first.status == .created)
            #expect(second.status == .created)
            #expect(second.text == first.text)
            #expect(second.headers[.location] == first.headers[.location])
            let list = try await client.execute(uri: "/api/v1/products", method: .get)
            #expect(try list.object()["total"] as? Int == 1)
        }
    }

    @Test("the same key with a different body is 422")
    func keyReuse() async throws {
        let seller = try await TestUser.make()
        try await TestApp.withRouter { client in
            let key: HTTPFields = [.idempotencyKey: "order-2"]
            _ = try await client.post("/api/v1/products", json: body, headers: seller.authorization + key)
            let other = try await client.post("/api/v1/products", json: #"{"name": "Cup", "price": 1}"#, headers: seller.authorization + key)
            #expect(other.status == .unprocessableContent)
            #expect(try other.problemCode() == "idempotency.key_reused")
        }
    }

    @Test("keys belong to their user")
    func perUser() async throws {
        let alice = try await TestUser.make()
        let bob = try await TestUser.make()
        try await TestApp.withRouter { client in
            let key: HTTPFields = [.idempotencyKey: "same"]
            let first = try await client.post("/api/v1/products", json: body, headers: alice.authorization + key)
            let second = try await client.post("/api/v1/products", json: body, headers: bob.authorization + key)
            #expect(first.status == .created && second.status == .created)
            #expect(try first.object()["id"] as? String != second.object()["id"] as? String)
        }
    }

    @Test("a malformed key is 400", arguments: ["", String(repeating: "k", count: 256), "has space"])
    func malformedKey(key: String) async throws {
        let seller = try await TestUser.make()
        try await TestApp.withRouter { client in
            let response = try await client.post("/api/v1/products", json: body, headers: seller.authorization + [.idempotencyKey: key])
            #expect(response.status == .badRequest)
        }
    }
}

@Suite("Idempotent item creation")
struct ItemIdempotencyTests {
    @Test("a retried item creation replays the first answer and lists one item; another body is 422")
    func items() async throws {
        let bench = try await AuctionBench()
        let seller = try await TestUser.make()
        let body = #"{"name": "Clock", "start_price": 1000, "ends_at": "\#(bench.timestamp(3_600))"}"#
        try await bench.run { client in
            let key = seller.authorization + [.idempotencyKey: "lot-1"]
            let first = try await client.post("/api/v1/items", json: body, headers: key)
            let second = try await client.post("/api/v1/items", json: body, headers: key)
            #expect(first.status == .created)
            #expect(second.status == .created)
            #expect(second.text == first.text)
            #expect(second.headers[.location] == first.headers[.location])
            let list = try await client.execute(uri: "/api/v1/items?seller_id=\(seller.id.text)", method: .get)
            #expect(try list.object()["total"] as? Int == 1)
            let events = try await client.execute(uri: "/api/v1/events", method: .get).object()["data"] as? [[String: Any]] ?? []
            #expect(events.filter { $0["event"] as? String == "item.created" }.count == 1)

            let other = try await client.post("/api/v1/items", json: body.replacingOccurrences(of: "Clock", with: "Watch"), headers: key)
            #expect(other.status == .unprocessableContent)
            #expect(try other.problemCode() == "idempotency.key_reused")
            // Without a key, the same body is a second listing.
            #expect(try await client.post("/api/v1/items", json: body, headers: seller.authorization).status == .created)
        }
    }
}
