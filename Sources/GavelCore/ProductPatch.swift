/// A JSON merge patch (RFC 7396) of a product. Each field is absent (`nil`), explicitly null
/// (`.some(nil)`), or a new value.
public struct ProductPatch: Equatable, Sendable {
    public var name: String??
    public var description: String??
    public var price: Int??
    public var currency: String??
    public var stock: Int??

    public init(name: String?? = nil, description: String?? = nil, price: Int?? = nil, currency: String?? = nil, stock: Int?? = nil) {
        self.name = name
        self.description = description
        self.price = price
        self.currency = currency
        self.stock = stock
    }

    public var isEmpty: Bool {
        name == nil && description == nil && price == nil && currency == nil && stock == nil
    }

    /// The draft that results from merging this patch into `product`. Null removes a member:
    /// allowed for `description` (it becomes empty), refused for fields a product must have.
    public func merged(into product: Product) throws(ValidationFailure) -> ProductDraft {
        guard !isEmpty else {
            throw ValidationFailure(field: "body", "the patch changes nothing", code: "validation.empty_patch")
        }
        var validator = Validator()
        func value<T>(_ change: T??, _ field: String, current: T) -> T {
            switch change {
            case .none: return current
            case .some(.some(let new)): return new
            case .some(.none):
                validator.fail(field, "cannot be removed")
                return current
            }
        }
        let name = value(name, "name", current: product.name)
        let price = value(price, "price", current: product.price)
        let currency = value(currency, "currency", current: product.currency.code)
        let stock = value(stock, "stock", current: product.stock)
        let description: String
        switch self.description {
        case .none: description = product.description
        case .some(.none): description = ""
        case .some(.some(let new)): description = new
        }
        try validator.finish()
        return ProductDraft(name: name, description: description, price: price, currency: currency, stock: stock)
    }
}
