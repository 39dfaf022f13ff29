import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import GavelApp

@Suite("Reading products")
struct ProductReadTests {
    @Test("a product is fetched by id with its ETag")
    func getByID() async throws {
        let seller = try await TestUser.make()
        try await TestApp.withRouter { client in
            let created = try await client.createProduct(seller, name: "Clock")
            let id = try #require(created["id"] as? String)
            let response = try await client.execute(uri: "/api/v1/products/\(id)", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.eTag] == "\"1\"")
            #expect(try response.object()["name"] as? String == "Clock")
        }
    }

    @Test("an unknown or malformed id is 404", arguments: ["0190f0e0-0000-7000-8000-000000000000", "not-a-uuid", "1", "%00"])
    func notFound(id: String) async throws {
        try await TestApp.withRouter { client in
            let response = try await client.execute(uri: "/api/v1/products/\(id)", method: .get)
            #expect(response.status == .notFound)
            #expect(try response.problemCode() == "product.not_found")
        }
    }

    @Test("an empty list is [] with paging fields")
    func emptyList() async throws {
        try await TestApp.withRouter { client in
            let response = try await client.execute(uri: "/api/v1/products", method: .get)
            #expect(response.text == #"{"data":[],"page":1,"page_size":20,"total":0}"#)
        }
    }

    @Test("pages partition the list newest first")
    func paging() async throws {
        let seller = try await TestUser.make()
        try await TestApp.withRouter { client in
            var names: [String] = []
            for index in 1...5 {
                names.append("Item \(index)")
                try await client.createProduct(seller, name: "Item \(index)")
            }
            var seen: [String] = []
            for page in 1...3 {
                let response = try await client.execute(uri: "/api/v1/products?page=\(page)&page_size=2", method: .get)
                let body = try response.object()
                #expect(body["total"] as? Int == 5)
                #expect(body["page_size"] as? Int == 2)
                seen += (body["data"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            }
            #expect(seen == names.reversed())
        }
    }

    @Test("filters combine: text, price range and seller")
    func filters() async throws {
        let alice = try await TestUser.make()
        let bob = try await TestUser.make()
        try await TestApp.withRouter { client in
            try await client.createProduct(alice, name: "Red Chair", price: 1_000)
            try await client.createProduct(alice, name: "Blue Chair", price: 5_000)
            try await client.createProduct(bob, name: "Red Lamp", price: 2_000)
            func names(_ query: String) async throws -> [String] {
                let response = try await client.execute(uri: "/api/v1/products?\(query)", method: .get)
                return (try response.object()["data"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }.sorted()
            }
            #expect(try await names("q=red") == ["Red Chair", "Red Lamp"])
            // Form encoding, as browsers send it: `+` is a space, `%2B` a plus.
            #expect(try await names("q=red+chair") == ["Red Chair"])
            #expect(try await names("q=red%20chair") == ["Red Chair"])
            #expect(try await names("q=red%2Bchair") == [])
            #expect(try await names("min_price=1500&max_price=5000") == ["Blue Chair", "Red Lamp"])
            #expect(try await names("seller_id=\(alice.id.text)&q=chair") == ["Blue Chair", "Red Chair"])
            let sorted = try await client.execute(uri: "/api/v1/products?sort=price_desc", method: .get)
            let prices = (try sorted.object()["data"] as? [[String: Any]] ?? []).compactMap { $0["price"] as? Int }
            #expect(prices == [5_000, 2_000, 1_000])
        }
    }

    @Test("malformed list parameters are 400 naming the parameter", arguments: [
        ("page=0", "page"), ("page_size=101", "page_size"), ("page=x", "page"), ("min_price=-1", "min_price"),
        ("min_price=9&max_price=1", "min_price"), ("seller_id=nope", "seller_id"), ("sort=cheapest", "sort"),
    ])
    func badParameters(query: String, field: String) async throws {
        try await TestApp.withRouter { client in
            let response = try await client.execute(uri: "/api/v1/products?\(query)", method: .get)
            #expect(response.status == .badRequest)
            #expect(try response.problemCode() == "request.invalid_parameter")
            let errors = try #require(try response.object()["errors"] as? [[String: String]])
            #expect(errors.contains { $0["field"] == field })
        }
    }
}
