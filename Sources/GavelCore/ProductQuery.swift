import Foundation

/// How a product list is ordered.
public enum ProductSort: String, CaseIterable, Sendable {
    case newest, oldest, priceAsc = "price_asc", priceDesc = "price_desc", name
}

/// A page of a list: 1-based page number and a bounded size.
public struct PageRequest: Equatable, Sendable {
    public static let maxSize = 100
    public static let defaultSize = 20

    public let page: Int
    public let size: Int

    public init(page: Int = 1, size: Int = defaultSize) throws(ValidationFailure) {
        var validator = Validator()
        validator.check(page >= 1, "page", "must be at least 1")
        validator.check((1...Self.maxSize).contains(size), "page_size", "must be between 1 and \(Self.maxSize)")
        try validator.finish()
        self.page = page
        self.size = size
    }

    public var offset: Int { (page - 1).multipliedReportingOverflow(by: size).overflow ? Int.max : (page - 1) * size }
}

/// Filters and order for listing products; the matching rules live here so every store
/// (in-memory or SQL) answers the same question the same way.
public struct ProductQuery: Equatable, Sendable {
    /// The text filter, prepared for matching; see `text`.
    private(set) var search: TextSearch?
    public var text: String? {
        get { search?.text }
        set { search = newValue.map(TextSearch.init) }
    }
    public var minPrice: Int?
    public var maxPrice: Int?
    public var sellerID: UUID?
    public var sort: ProductSort

    public init(text: String? = nil, minPrice: Int? = nil, maxPrice: Int? = nil, sellerID: UUID? = nil, sort: ProductSort = .newest) throws(ValidationFailure) {
        var validator = Validator()
        if let minPrice { validator.check(minPrice >= 0, "min_price", "must not be negative") }
        if let maxPrice { validator.check(maxPrice >= 0, "max_price", "must not be negative") }
        if let minPrice, let maxPrice {
            validator.check(minPrice <= maxPrice, "min_price", "must not exceed max_price")
        }
        try validator.finish()
        let trimmed = text?.trimmingCharacters(in: .whitespacesAndNewlines)
        self.search = (trimmed?.isEmpty ?? true) ? nil : trimmed.map(TextSearch.init)
        self.minPrice = minPrice
        self.maxPrice = maxPrice
        self.sellerID = sellerID
        self.sort = sort
    }

    public var isUnfiltered: Bool { text == nil && minPrice == nil && maxPrice == nil && sellerID == nil }

    public func matches(_ product: Product) -> Bool {
        if let sellerID, product.sellerID != sellerID { return false }
        if let minPrice, product.price < minPrice { return false }
        if let maxPrice, product.price > maxPrice { return false }
        if let search { return search.matches(product.name) || search.matches(product.description) }
        return true
    }

    /// A strict total order (ties broken by id) so pages never overlap or skip.
    public func areInIncreasingOrder(_ lhs: Product, _ rhs: Product) -> Bool {
        areInIncreasingOrder(rank(lhs), rank(rhs))
    }

    public func areInIncreasingOrder(_ lhs: ProductRank, _ rhs: ProductRank) -> Bool {
        switch sort {
        case .newest: return Self.newerFirst(lhs, rhs)
        case .oldest: return Self.newerFirst(rhs, lhs)
        case .priceAsc: return lhs.price != rhs.price ? lhs.price < rhs.price : Self.newerFirst(lhs, rhs)
        case .priceDesc: return lhs.price != rhs.price ? lhs.price > rhs.price : Self.newerFirst(lhs, rhs)
        case .name: return lhs.nameKey != rhs.nameKey ? lhs.nameKey < rhs.nameKey : Self.newerFirst(lhs, rhs)
        }
    }

    /// What this query orders `product` by, taken once: a list ranks each product once instead
    /// of folding both names on every comparison, and sorts small ranks rather than products.
    public func rank(_ product: Product) -> ProductRank {
        ProductRank(id: product.id, createdAt: product.createdAt, price: product.price, nameKey: sort == .name ? product.nameKey : "")
    }

    static func newerFirst(_ lhs: ProductRank, _ rhs: ProductRank) -> Bool {
        lhs.createdAt != rhs.createdAt ? lhs.createdAt > rhs.createdAt : lhs.id.sortsAfter(rhs.id)
    }
}

/// The fields a product list is ordered by (see `ProductQuery.rank`). The name key is empty
/// unless the list is ordered by name.
public struct ProductRank: Sendable {
    public let id: UUID
    let createdAt: Date
    let price: Int
    let nameKey: String
}
