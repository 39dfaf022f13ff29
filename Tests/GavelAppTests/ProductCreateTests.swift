import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import GavelApp

@Suite("Creating products")
struct ProductCreateTests {
    @Test("a seller creates a product and gets it back with Location and ETag")
    func createsProduct() async throws {
        let seller = try await TestUser.make()
        try await TestApp.withRouter { client in
            let response = try await client.post(
                "/api/v1/products", json: #"{"name": "  Brass Lamp  ", "description": "Works", "price": 4999}"#,
                headers: seller.authorization)
            #expect(response.status == .created)
            let product = try response.object()
            let id = try #require(product["id"] as? String)
            #expect(response.headers[.location] == "/api/v1/products/\(id)")
            #expect(response.headers[.eTag] == "\"1\"")
            #expect(product["name"] as? String == "Brass Lamp")
            #expect(product["seller_id"] as? String == seller.id.text)
            #expect(product["price"] as? Int == 4999)
            #expect(product["currency"] as? String == "EUR")
            #expect(product["stock"] as? Int == 1)
            #expect(product["version"] as? Int == 1)
            let created = try #require(product["created_at"] as? String)
            #expect(created.hasSuffix("Z") && created.contains("."))
        }
    }

    @Test("a name is unique per seller, ignoring case and surrounding space")
    func nameUniquePerSeller() async throws {
        let seller = try await TestUser.make()
        let other = try await TestUser.make()
        try await TestApp.withRouter { client in
            try await client.createProduct(seller, name: "Desk")
            let again = try await client.post("/api/v1/products", json: #"{"name": " desk ", "price": 100}"#, headers: seller.authorization)
            #expect(again.status == .conflict)
            #expect(try again.problemCode() == "product.name_taken")
            try await client.createProduct(other, name: "Desk")
        }
    }

    @Test("creating without a token is 401 with a Bearer challenge")
    func needsToken() async throws {
        try await TestApp.withRouter { client in
            let response = try await client.post("/api/v1/products", json: #"{"name": "A", "price": 1}"#)
            #expect(response.status == .unauthorized)
            #expect(response.headers[.wwwAuthenticate] == "Bearer")
            #expect(try response.problemCode() == "auth.missing_token")
        }
    }

    @Test("unknown members are refused with 400 naming them")
    func unknownField() async throws {
        let seller = try await TestUser.make()
        try await TestApp.withRouter { client in
            let response = try await client.post(
                "/api/v1/products", json: #"{"name": "A", "price": 1, "prise": 2}"#, headers: seller.authorization)
            #expect(response.status == .badRequest)
            #expect(try response.problemCode() == "request.unknown_field")
            let errors = try #require(try response.object()["errors"] as? [[String: String]])
            #expect(errors.map { $0["field"] } == ["prise"])
        }
    }

    @Test("malformed JSON is 400", arguments: [#"{"name": "A", "price": 1"#, "[1,2]", "", "null"])
    func malformedJSON(body: String) async throws {
        let seller = try await TestUser.make()
        try await TestApp.withRouter { client in
            let response = try await client.post("/api/v1/products", json: body, headers: seller.authorization)
            #expect(response.status == .badRequest)
            #expect(try response.problemCode() == "request.malformed_json")
        }
    }

    @Test("a body that is not JSON by media type is 415", arguments: ["text/plain", nil, "application/jsonx", "application/ json", ""])
    func wrongMediaType(contentType: String?) async throws {
        let response = try await Self.create(contentType: contentType)
        #expect(response.status == .unsupportedMediaType)
        #expect(try response.problemCode() == "request.unsupported_media_type")
    }

    /// A new seller creates a valid product, sent with `contentType` (none when nil).
    static func create(contentType: String?) async throws -> TestResponse {
        let seller = try await TestUser.make()
        return try await TestApp.withRouter { client in
            var headers = seller.authorization
            headers[.contentType] = contentType
            return try await client.execute(
                uri: "/api/v1/products", method: .post, headers: headers, body: ByteBuffer(string: #"{"name":"A","price":1}"#))
        }
    }

    @Test("the JSON media type is matched without case, with parameters and blanks", arguments: [
        "application/json", "Application/JSON", "application/json; charset=utf-8", " application/json\t;charset=UTF-8",
    ])
    func mediaTypeSpelling(contentType: String) async throws {
        #expect(try await Self.create(contentType: contentType).status == .created)
    }

    @Test("every invalid field is reported at once with 422")
    func validationErrors() async throws {
        let seller = try await TestUser.make()
        try await TestApp.withRouter { client in
            let response = try await client.post(
                "/api/v1/products", json: #"{"name": "   ", "price": 0, "currency": "XXX", "stock": -1}"#,
                headers: seller.authorization)
            #expect(response.status == .unprocessableContent)
            #expect(try response.problemCode() == "validation.failed")
            let errors = try #require(try response.object()["errors"] as? [[String: String]])
            #expect(Set(errors.compactMap { $0["field"] }) == ["name", "price", "currency", "stock"])
        }
    }

    @Test("a mistyped or missing member is 422 naming it", arguments: [
        (#"{"name": "A", "price": "12"}"#, "price"), (#"{"name": "A", "price": 12.5}"#, "price"),
        (#"{"price": 12}"#, "name"), (#"{"name": "A", "price": null}"#, "price"),
        (#"{"name": "A", "price": 99999999999999999999999}"#, "price"),
    ])
    func typeErrors(body: String, field: String) async throws {
        let seller = try await TestUser.make()
        try await TestApp.withRouter { client in
            let response = try await client.post("/api/v1/products", json: body, headers: seller.authorization)
            #expect(response.status == .unprocessableContent, "\(response.text)")
            let errors = try #require(try response.object()["errors"] as? [[String: String]])
            #expect(errors.first?["field"] == field)
        }
    }

    @Test("a body over server.max_body_bytes is 413 and creates nothing")
    func bodyTooLarge() async throws {
        let seller = try await TestUser.make()
        let config = try await TestApp.config(environment: ["GAVEL_SERVER_MAX_BODY_BYTES": "2048"])
        try await TestApp.withRouter(config) { client in
            let description = String(repeating: "x", count: 4_000)
            let response = try await client.post(
                "/api/v1/products", json: #"{"name": "Big", "price": 1, "description": "\#(description)"}"#,
                headers: seller.authorization)
            #expect(response.status == .contentTooLarge)
            #expect(try response.problemCode() == "request.body_too_large")
            let list = try await client.execute(uri: "/api/v1/products", method: .get)
            #expect(try list.object()["total"] as? Int == 0)
        }
    }

    @Test("a rejected create changes nothing and emits no event")
    func rejectedCreateChangesNothing() async throws {
        let seller = try await TestUser.make()
        try await TestApp.withRouter { client in
            _ = try await client.post("/api/v1/products", json: #"{"name": "A", "price": -5}"#, headers: seller.authorization)
            let events = try await client.execute(uri: "/api/v1/events?after=0", method: .get)
            #expect((try events.object()["data"] as? [Any])?.isEmpty == true)
        }
    }
}
