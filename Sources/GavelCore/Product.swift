import Foundation

/// A fixed-price marketplace listing.
public struct Product: Equatable, Sendable {
    public let id: UUID
    public let sellerID: UUID
    public var name: String
    public var description: String
    public var price: Int
    public var currency: Currency
    public var stock: Int
    public var version: Int
    public let createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID, sellerID: UUID, name: String, description: String, price: Int, currency: Currency,
        stock: Int, version: Int, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.sellerID = sellerID
        self.name = name
        self.description = description
        self.price = price
        self.currency = currency
        self.stock = stock
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The key that makes a name unique per seller: trimmed and case-folded, so "Lamp" and
    /// "lamp " cannot both be listed by one seller.
    public static func nameKey(_ name: String) -> String {
        // A name that begins and ends with a visible ASCII character has nothing to trim: skip
        // Foundation's character-set scan, the slow half of a key (lists sorted by name fold
        // every name).
        let visible: ClosedRange<UInt8> = 0x21...0x7E
        if let first = name.utf8.first, let last = name.utf8.last, visible.contains(first), visible.contains(last) {
            return name.lowercased()
        }
        return name.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    public var nameKey: String { Self.nameKey(name) }
}

/// The writable fields of a product, as given to create or to replace (`PUT`) one.
public struct ProductDraft: Equatable, Sendable {
    public var name: String
    public var description: String?
    public var price: Int
    public var currency: String?
    public var stock: Int?

    public init(name: String, description: String? = nil, price: Int, currency: String? = nil, stock: Int? = nil) {
        self.name = name
        self.description = description
        self.price = price
        self.currency = currency
        self.stock = stock
    }
}

/// A validated draft: every field has its final, normalised value.
public struct ProductFields: Equatable, Sendable {
    public let name: String
    public let description: String
    public let price: Int
    public let currency: Currency
    public let stock: Int
}

public enum ProductRules {
    public static let maxNameLength = ListingText.maxNameLength
    public static let maxDescriptionLength = ListingText.maxDescriptionLength
    /// 10^11 minor units: a billion in a two-decimal currency; far above any real listing,
    /// far below where integer arithmetic on sums could overflow.
    public static let maxPrice = 100_000_000_000
    public static let maxStock = 1_000_000
    /// A product listed without a stock count is a single article.
    public static let defaultStock = 1

    /// Validates and normalises a draft, reporting every failing field at once.
    public static func validate(_ draft: ProductDraft, defaultCurrency: Currency) throws(ValidationFailure) -> ProductFields {
        var validator = Validator()
        let name = ListingText.name(draft.name, &validator)
        let description = ListingText.description(draft.description, &validator)
        validator.check(draft.price > 0, "price", "must be greater than 0 (minor units)")
        validator.check(draft.price <= maxPrice, "price", "must be at most \(maxPrice) (minor units)")
        var currency = defaultCurrency
        if let code = draft.currency {
            if let parsed = Currency(code) {
                currency = parsed
            } else {
                validator.fail("currency", "must be an ISO 4217 currency code")
            }
        }
        let stock = draft.stock ?? defaultStock
        validator.check((0...maxStock).contains(stock), "stock", "must be between 0 and \(maxStock)")
        try validator.finish()
        return ProductFields(name: name, description: description, price: draft.price, currency: currency, stock: stock)
    }
}
