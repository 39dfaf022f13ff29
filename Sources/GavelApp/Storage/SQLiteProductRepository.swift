import Foundation
import GRDB
import GavelCore

/// Products in SQLite, with every read answered from the in-memory catalog.
final class SQLiteProductRepository: ProductRepository {
    private let store: Store
    private let catalog: ProductCatalog

    init(store: Store) async throws {
        self.store = store
        let products = try await store.read("product.load_all") { db in
            try Array(Row.fetchCursor(db, sql: "SELECT * FROM products").map(Self.product))
        }
        self.catalog = ProductCatalog(products)
    }

    func find(_ id: UUID) async throws -> Product? {
        catalog.find(id)
    }

    func list(_ query: ProductQuery, page: PageRequest) async throws -> (items: [Product], total: Int) {
        await catalog.list(query, page: page)
    }

    func create(_ product: Product, context: WriteContext, claim: IdempotencyClaim?) async throws -> Product {
        let body = ProductRepresentation.json(product)
        return try await store.write("product.create", { db in
            do {
                try db.cachedStatement(sql: """
                    INSERT INTO products (id, seller_id, name, name_key, description, price, currency, stock,
                                          version, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """).execute(arguments: Self.arguments(product))
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
                throw ProductStoreError.nameTaken
            }
            if let claim {
                try IdempotencyRecords.insert(
                    claim, response: IdempotentResponse(
                        requestHash: claim.requestHash, status: 201, location: "/api/v1/products/\(product.id.text)", body: body),
                    at: context.now, in: db)
            }
            try Outbox.append(
                [OutboxEvent("product.created", subject: product.id, payload: body, at: context.now)], context: context, in: db)
            return product
        }, afterCommit: catalog.upsert)
    }

    func update(
        _ id: UUID, context: WriteContext, change: @escaping @Sendable (Product) throws -> Product
    ) async throws -> Product {
        try await store.write("product.update", { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM products WHERE id = ?"), arguments: [id.text])
            else { throw ProductStoreError.notFound }
            var updated = try change(Self.product(row))
            updated.version += 1
            updated.updatedAt = context.now
            do {
                try db.cachedStatement(sql: """
                    UPDATE products SET seller_id = ?2, name = ?3, name_key = ?4, description = ?5, price = ?6,
                        currency = ?7, stock = ?8, version = ?9, created_at = ?10, updated_at = ?11
                    WHERE id = ?1
                    """).execute(arguments: Self.arguments(updated))
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
                throw ProductStoreError.nameTaken
            }
            try Outbox.append(
                [OutboxEvent("product.updated", subject: id, payload: ProductRepresentation.json(updated), at: context.now)],
                context: context, in: db)
            return updated
        }, afterCommit: catalog.upsert)
    }

    func delete(_ id: UUID, context: WriteContext, check: @escaping @Sendable (Product) throws -> Void) async throws {
        _ = try await store.write("product.delete", { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM products WHERE id = ?"), arguments: [id.text])
            else { throw ProductStoreError.notFound }
            let product = Self.product(row)
            try check(product)
            try db.cachedStatement(sql: "DELETE FROM products WHERE id = ?").execute(arguments: [id.text])
            try Outbox.append(
                [OutboxEvent("product.deleted", subject: id, payload: ProductRepresentation.json(product), at: context.now)],
                context: context, in: db)
            return id
        }, afterCommit: catalog.remove)
    }

    func idempotentResponse(userID: UUID, scope: String, key: String) async throws -> IdempotentResponse? {
        try await store.read("idempotency.find") { db in
            try IdempotencyRecords.find(userID: userID, scope: scope, key: key, in: db)
        }
    }

    private static func arguments(_ product: Product) -> StatementArguments {
        [
            product.id.text, product.sellerID.text, product.name, product.nameKey, product.description, product.price,
            product.currency.code, product.stock, product.version, Timestamp.millis(product.createdAt),
            Timestamp.millis(product.updatedAt),
        ]
    }

    /// Rows are only ever written by this type, so their values are known to be valid.
    private static func product(_ row: Row) -> Product {
        Product(
            id: UUID(uuidString: row["id"])!, sellerID: UUID(uuidString: row["seller_id"])!, name: row["name"],
            description: row["description"], price: row["price"], currency: Currency(row["currency"])!,
            stock: row["stock"], version: row["version"], createdAt: Timestamp.date(millis: row["created_at"]),
            updatedAt: Timestamp.date(millis: row["updated_at"]))
    }
}
