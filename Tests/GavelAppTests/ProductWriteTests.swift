import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import GavelApp

@Suite("Changing products")
struct ProductWriteTests {
    static let mergePatch: HTTPFields = [.contentType: "application/merge-patch+json"]

    func send(
        _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ id: String, _ body: String?,
        user: TestUser, headers: HTTPFields = .json
    ) async throws -> TestResponse {
        try await client.execute(
            uri: "/api/v1/products/\(id)", method: method, headers: headers + user.authorization,
            body: body.map { ByteBuffer(string: $0) })
    }

    @Test("PUT replaces every writable field and bumps the version")
    func putReplaces() async throws {
        let seller = try await TestUser.make()
        try await TestApp.withRouter { client in
            let id = try #require(try await client.createProduct(seller, extra: #", "description": "old", "stock": 3"#)["id"] as? String)
            let response = try await send(client, .put, id, #"{"name": "New", "price": 700, "currency": "usd"}"#, user: seller)
            #expect(response.status == .ok)
            let product = try response.object()
            #expect(product["name"] as? String == "New")
            #expect(product["description"] as? String == "")
            #expect(product["stock"] as? Int == 1)
            #expect(product["currency"] as? String == "USD")
            #expect(product["version"] as? Int == 2)
            #expect(response.headers[.eTag] == "\"2\"")
        }
    }

    @Test("PATCH merges and returns the whole stored product", arguments: ["application/merge-patch+json", "application/json"])
    func patchMerges(contentType: String) async throws {
        let seller = try await TestUser.make()
        try await TestApp.withRouter { client in
            let id = try #require(try await client.createProduct(seller, name: "Radio", extra: #", "description": "AM/FM""#)["id"] as? String)
            let response = try await send(
                client, .patch, id, #"{"price": 1999, "description": null}"#, user: seller, headers: [.contentType: contentType])
            #expect(response.status == .ok)
            let product = try response.object()
            #expect(product["name"] as? String == "Radio")
            #expect(product["price"] as? Int == 1999)
            #expect(product["description"] as? String == "")
            #expect(product["version"] as? Int == 2)
            let stored = try await client.execute(uri: "/api/v1/products/\(id)", method: .get)
            #expect(try stored.object()["price"] as? Int == 1999)
        }
    }

    @Test("an empty patch is 422", arguments: ["{}"])
    func emptyPatch(body: String) async throws {
        let seller = try await TestUser.make()
        try await TestApp.withRouter { client in
            let id = try #require(try await client.createProduct(seller)["id"] as? String)
            let response = try await send(client, .patch, id, body, user: seller, headers: Self.mergePatch)
            #expect(response.status == .unprocessableContent)
            #expect(try response.problemCode() == "validation.empty_patch")
        }
    }

    @Test("removing a required member by patch is 422 and changes nothing")
    func patchNullRequired() async throws {
        let seller = try await TestUser.make()
        try await TestApp.withRouter { client in
            let id = try #require(try await client.createProduct(seller, price: 10)["id"] as? String)
            let response = try await send(client, .patch, id, #"{"price": null}"#, user: seller, headers: Self.mergePatch)
            #expect(response.status == .unprocessableContent)
            let stored = try await client.execute(uri: "/api/v1/products/\(id)", method: .get)
            #expect(try stored.object()["version"] as? Int == 1)
        }
    }

    @Test("PATCH refuses other media types with 415")
    func patchMediaType() async throws {
        let seller = try await TestUser.make()
        try await TestApp.withRouter { client in
            let id = try #require(try await client.createProduct(seller)["id"] as? String)
            let response = try await send(client, .patch, id, #"{"price": 5}"#, user: seller, headers: [.contentType: "text/plain"])
            #expect(response.status == .unsupportedMediaType)
        }
    }

    @Test("only the seller may change or delete a product", arguments: [HTTPRequest.Method.put, .patch, .delete])
    func nonOwnerForbidden(method: HTTPRequest.Method) async throws {
        let seller = try await TestUser.make()
        let stranger = try await TestUser.make()
        try await TestApp.withRouter { client in
            let id = try #require(try await client.createProduct(seller)["id"] as? String)
            let body = method == .delete ? nil : #"{"name": "Mine now", "price": 1}"#
            let response = try await send(client, method, id, body, user: stranger)
            #expect(response.status == .forbidden)
            #expect(try response.problemCode() == "product.not_owner")
            let stored = try await client.execute(uri: "/api/v1/products/\(id)", method: .get)
            #expect(try stored.object()["version"] as? Int == 1)
        }
    }

    @Test("a stale If-Match is 412 and a current one succeeds", arguments: [HTTPRequest.Method.put, .patch, .delete])
    func ifMatch(method: HTTPRequest.Method) async throws {
        let seller = try await TestUser.make()
        try await TestApp.withRouter { client in
            let id = try #require(try await client.createProduct(seller)["id"] as? String)
            let body = method == .delete ? nil : #"{"name": "Renamed", "price": 2}"#
            let stale = try await send(client, method, id, body, user: seller, headers: .json + [.ifMatch: "\"7\""])
            #expect(stale.status == .preconditionFailed)
            #expect(try stale.problemCode() == "request.precondition_failed")
            let current = try await send(client, method, id, body, user: seller, headers: .json + [.ifMatch: "W/\"0\", \"1\""])
            #expect(current.status == (method == .delete ? .noContent : .ok))
        }
    }

    @Test("changing an unknown product is 404", arguments: [HTTPRequest.Method.put, .patch, .delete])
    func unknownProduct(method: HTTPRequest.Method) async throws {
        let seller = try await TestUser.make()
        try await TestApp.withRouter { client in
            let body = method == .delete ? nil : #"{"name": "X", "price": 2}"#
            let response = try await send(client, method, "0190f0e0-0000-7000-8000-000000000000", body, user: seller)
            #expect(response.status == .notFound)
            let malformed = try await send(client, method, "abc", body, user: seller)
            #expect(malformed.status == .notFound)
        }
    }

    @Test("renaming onto another of the seller's names is 409")
    func renameConflict() async throws {
        let seller = try await TestUser.make()
        try await TestApp.withRouter { client in
            try await client.createProduct(seller, name: "Vase")
            let id = try #require(try await client.createProduct(seller, name: "Jug")["id"] as? String)
            let response = try await send(client, .patch, id, #"{"name": "VASE"}"#, user: seller, headers: Self.mergePatch)
            #expect(response.status == .conflict)
            #expect(try response.problemCode() == "product.name_taken")
        }
    }

    @Test("PUT with invalid fields is 422")
    func putValidation() async throws {
        let seller = try await TestUser.make()
        try await TestApp.withRouter { client in
            let id = try #require(try await client.createProduct(seller)["id"] as? String)
            let response = try await send(client, .put, id, #"{"name": "", "price": 1}"#, user: seller)
            #expect(response.status == .unprocessableContent)
        }
    }

    @Test("a deleted product is gone")
    func deletes() async throws {
        let seller = try await TestUser.make()
        try await TestApp.withRouter { client in
            let id = try #require(try await client.createProduct(seller)["id"] as? String)
            let response = try await send(client, .delete, id, nil, user: seller, headers: [:])
            #expect(response.status == .noContent)
            #expect(try await client.execute(uri: "/api/v1/products/\(id)", method: .get).status == .notFound)
            #expect(try await send(client, .delete, id, nil, user: seller, headers: [:]).status == .notFound)
        }
    }

    @Test("every change is in the event feed with the request's trace and correlation ids")
    func eventsRecorded() async throws {
        let seller = try await TestUser.make()
        let trace = "4bf92f3577b34da6a3ce929d0e0e4736"
        try await TestApp.withRouter { client in
            let ids: HTTPFields = [HTTPField.Name("traceparent")!: "00-\(trace)-00f067aa0ba902b7-01", .requestID: "req-42"]
            let created = try await client.post("/api/v1/products", json: #"{"name": "Kettle", "price": 10}"#, headers: seller.authorization + ids)
            let id = try #require(try created.object()["id"] as? String)
            _ = try await send(client, .patch, id, #"{"stock": 4}"#, user: seller, headers: Self.mergePatch)
            _ = try await send(client, .delete, id, nil, user: seller, headers: [:])
            let feed = try await client.execute(uri: "/api/v1/events?after=0", method: .get)
            let events = try #require(try feed.object()["data"] as? [[String: Any]])
            #expect(events.compactMap { $0["event"] as? String } == ["product.created", "product.updated", "product.deleted"])
            #expect(events.compactMap { $0["seq"] as? Int } == [1, 2, 3])
            #expect(events[0]["trace_id"] as? String == trace)
            #expect(events[0]["correlation_id"] as? String == "req-42")
            #expect(events[0]["source"] as? String == "gavel")
            #expect(events[0]["version"] as? String == "v1")
            #expect((events[1]["payload"] as? [String: Any])?["stock"] as? Int == 4)
            #expect((events[2]["payload"] as? [String: Any])?["id"] as? String == id)
        }
    }
}
