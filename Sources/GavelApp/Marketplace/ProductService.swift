import Foundation
import GavelCore

/// The marketplace rules around storage: who may change a product, optimistic concurrency
/// through versions, validation, and idempotent creation.
struct ProductService: Sendable {
    let repository: any ProductRepository
    let defaultCurrency: Currency

    static let createScope = "POST /api/v1/products"

    enum Outcome: Sendable {
        case created(Product)
        /// A retry of an earlier request with the same `Idempotency-Key`.
        case replayed(IdempotentResponse)
    }

    func create(_ draft: ProductDraft, seller: UUID, context: WriteContext, idempotency: (key: String, hash: String)?) async throws -> Outcome {
        if let idempotency, let stored = try await storedResponse(seller, idempotency) {
            return .replayed(stored)
        }
        let fields = try ProductRules.validate(draft, defaultCurrency: defaultCurrency)
        let product = Product(
            id: Identifier.make(at: context.now), sellerID: seller, name: fields.name, description: fields.description,
            price: fields.price, currency: fields.currency, stock: fields.stock, version: 1,
            createdAt: context.now, updatedAt: context.now)
        let claim = idempotency.map {
            IdempotencyClaim(userID: seller, scope: Self.createScope, key: $0.key, requestHash: $0.hash)
        }
        do {
            return .created(try await repository.create(product, context: context, claim: claim))
        } catch is IdempotencyRecords.KeyInUse {
            // A concurrent request with the same key won; answer as its retry would be answered.
            guard let idempotency, let stored = try await storedResponse(seller, idempotency) else {
                throw Problem.idempotencyConflict
            }
            return .replayed(stored)
        }
    }

    private func storedResponse(_ seller: UUID, _ idempotency: (key: String, hash: String)) async throws -> IdempotentResponse? {
        try IdempotentResponse.replay(
            try await repository.idempotentResponse(userID: seller, scope: Self.createScope, key: idempotency.key),
            for: idempotency.hash)
    }

    func replace(_ id: UUID, with draft: ProductDraft, by user: UUID, ifMatch: String?, context: WriteContext) async throws -> Product {
        try await repository.update(id, context: context) { [defaultCurrency] current in
            try Self.authorize(current, user: user, ifMatch: ifMatch)
            return Self.applying(try ProductRules.validate(draft, defaultCurrency: defaultCurrency), to: current)
        }
    }

    func patch(_ id: UUID, with patch: ProductPatch, by user: UUID, ifMatch: String?, context: WriteContext) async throws -> Product {
        try await repository.update(id, context: context) { [defaultCurrency] current in
            try Self.authorize(current, user: user, ifMatch: ifMatch)
            let draft = try patch.merged(into: current)
            return Self.applying(try ProductRules.validate(draft, defaultCurrency: defaultCurrency), to: current)
        }
    }

    func delete(_ id: UUID, by user: UUID, ifMatch: String?, context: WriteContext) async throws {
        try await repository.delete(id, context: context) { current in
            try Self.authorize(current, user: user, ifMatch: ifMatch)
        }
    }

    /// Only the seller may change a listing, and only the version the client last saw.
    private static func authorize(_ product: Product, user: UUID, ifMatch: String?) throws {
        guard product.sellerID == user else {
            throw Problem(.forbidden, code: "product.not_owner", detail: "Only the seller may change this product.")
        }
        guard EntityTag.ifMatch(ifMatch, version: product.version) else { throw Problem.preconditionFailed }
    }

    private static func applying(_ fields: ProductFields, to product: Product) -> Product {
        var product = product
        product.name = fields.name
        product.description = fields.description
        product.price = fields.price
        product.currency = fields.currency
        product.stock = fields.stock
        return product
    }
}

/// Strong entity tags derived from a resource's version.
enum EntityTag {
    static func make(version: Int) -> String { "\"\(version)\"" }

    /// RFC 9110 §13.1.1: `*` matches any current representation; otherwise one of the listed
    /// tags must equal the current one by strong comparison (weak tags never match).
    static func ifMatch(_ header: String?, version: Int) -> Bool {
        guard let header else { return true }
        let trimmed = FieldValue.trimmed(header)
        if trimmed == "*" { return true }
        let current = make(version: version)
        return trimmed.split(separator: ",").contains { FieldValue.trimmed($0) == current }
    }
}
