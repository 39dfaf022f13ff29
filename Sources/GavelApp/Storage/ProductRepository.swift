import Foundation
import GavelCore

/// Failures of product writes that the API reports precisely.
public enum ProductStoreError: Error, Equatable {
    case notFound
    case nameTaken
}

/// A response stored under an `Idempotency-Key`, replayed for retries.
public struct IdempotentResponse: Sendable, Equatable {
    public let requestHash: String
    public let status: Int
    public let location: String?
    public let body: [UInt8]
}

/// Claims a key for one creating request; stored in the same transaction as the creation.
public struct IdempotencyClaim: Sendable {
    public let userID: UUID
    public let scope: String
    public let key: String
    public let requestHash: String
}

/// Storage of products. Implementations decide whether reads come from memory; the contract
/// is that a read after a write's return sees that write.
public protocol ProductRepository: Sendable {
    func find(_ id: UUID) async throws -> Product?
    func list(_ query: ProductQuery, page: PageRequest) async throws -> (items: [Product], total: Int)
    /// Inserts `product` and its `product.created` event; throws `ProductStoreError.nameTaken`.
    func create(_ product: Product, context: WriteContext, claim: IdempotencyClaim?) async throws -> Product
    /// Loads the product, lets `change` check it and return the new state, and stores that state
    /// with `product.updated` — all in one transaction, so checks and write cannot interleave
    /// with another writer.
    func update(
        _ id: UUID, context: WriteContext, change: @escaping @Sendable (Product) throws -> Product
    ) async throws -> Product
    /// Deletes the product after `check` accepts it, with `product.deleted`, in one transaction.
    func delete(_ id: UUID, context: WriteContext, check: @escaping @Sendable (Product) throws -> Void) async throws
    /// The stored response for a key, if any.
    func idempotentResponse(userID: UUID, scope: String, key: String) async throws -> IdempotentResponse?
}
