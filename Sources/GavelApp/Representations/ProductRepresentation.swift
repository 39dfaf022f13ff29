import Foundation
import GavelCore

/// A product as the API and its events show it.
struct ProductRepresentation: Codable, Sendable {
    let id: String
    let sellerID: String
    let name: String
    let description: String
    let price: Int
    let currency: String
    let stock: Int
    let version: Int
    let createdAt: String
    let updatedAt: String

    enum CodingKeys: String, CodingKey {
        case id, name, description, price, currency, stock, version
        case sellerID = "seller_id", createdAt = "created_at", updatedAt = "updated_at"
    }

    init(_ product: Product) {
        id = product.id.text
        sellerID = product.sellerID.text
        name = product.name
        description = product.description
        price = product.price
        currency = product.currency.code
        stock = product.stock
        version = product.version
        createdAt = Timestamp.format(product.createdAt)
        updatedAt = Timestamp.format(product.updatedAt)
    }

    static func json(_ product: Product) -> [UInt8] {
        // Encoding a struct of strings and integers cannot fail.
        (try? JSONCoding.encode(ProductRepresentation(product))) ?? []
    }
}
