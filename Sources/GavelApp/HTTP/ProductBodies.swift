import GavelCore

/// Body of `POST` and `PUT` on products.
struct ProductBody: StrictDecodable {
    let name: String
    let description: String?
    let price: Int
    let currency: String?
    let stock: Int?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, description, price, currency, stock
    }

    var draft: ProductDraft {
        ProductDraft(name: name, description: description, price: price, currency: currency, stock: stock)
    }
}

/// Body of `PATCH` on products: a JSON merge patch, where null and absent differ.
struct ProductPatchBody: StrictDecodable {
    let patch: ProductPatch

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, description, price, currency, stock
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func member<T: Decodable>(_ key: CodingKeys) throws -> T?? {
            guard container.contains(key) else { return nil }
            if try container.decodeNil(forKey: key) { return .some(nil) }
            return .some(try container.decode(T.self, forKey: key))
        }
        patch = ProductPatch(
            name: try member(.name), description: try member(.description), price: try member(.price),
            currency: try member(.currency), stock: try member(.stock))
    }
}
