import Foundation
import GRDB
import GavelCore
import HummingbirdBcrypt
import Logging

/// Demo data for the web app and load tests: users `user1@gavel.test`… with the password
/// `Seeder.password`, and products spread over them. Running it again adds only what is missing.
public struct Seeder {
    public static let password = "gavel-demo-password"

    let store: Store
    let config: AppConfig
    let logger: Logger

    public init(store: Store, config: AppConfig, logger: Logger) {
        self.store = store
        self.config = config
        self.logger = logger
    }

    public func run(users: Int, products: Int) async throws {
        let sellers = try await seedUsers(users)
        guard !sellers.isEmpty || products == 0 else {
            throw ConfigProblem(key: "--products", "needs at least one user to sell them")
        }
        let repository = try await SQLiteProductRepository(store: store)
        let context = WriteContext(traceID: "seed", correlationID: "seed")
        var created = 0
        for index in 0..<products {
            let seller = sellers[index % sellers.count]
            let fields = try ProductRules.validate(
                ProductDraft(
                    name: "\(Self.adjectives[index % Self.adjectives.count]) \(Self.nouns[(index / Self.adjectives.count) % Self.nouns.count]) \(index + 1)",
                    description: "Demo listing \(index + 1), seeded for trying Gavel out.",
                    price: 500 + (index * 7_919) % 99_500, stock: 1 + index % 20),
                defaultCurrency: config.auctions.defaultCurrency)
            let now = Timestamp.truncated(Date())
            let product = Product(
                id: Identifier.make(at: now), sellerID: seller, name: fields.name, description: fields.description,
                price: fields.price, currency: fields.currency, stock: fields.stock, version: 1, createdAt: now, updatedAt: now)
            do {
                _ = try await repository.create(product, context: context, claim: nil)
                created += 1
            } catch ProductStoreError.nameTaken {
                continue
            }
        }
        logger.info("seeded", metadata: ["users": "\(sellers.count)", "products_created": "\(created)"])
    }

    /// Creates the missing demo users and returns the ids of all of them.
    private func seedUsers(_ count: Int) async throws -> [UUID] {
        guard count > 0 else { return [] }
        // One hash serves every demo user: they share the documented password.
        let hash = Bcrypt.hash(Self.password, cost: UInt8(config.auth.bcryptCost))
        let context = WriteContext(traceID: "seed", correlationID: "seed")
        return try await store.write("user.seed") { db in
            var ids: [UUID] = []
            for index in 1...count {
                let email = "user\(index)@gavel.test"
                if let existing = try String.fetchOne(db, sql: "SELECT id FROM users WHERE email = ?", arguments: [email]) {
                    ids.append(UUID(uuidString: existing)!)
                    continue
                }
                let id = Identifier.make(at: context.now)
                let name = "Demo User \(index)"
                try db.execute(
                    sql: "INSERT INTO users (id, email, name, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [id.text, email, name, hash, Timestamp.millis(context.now), Timestamp.millis(context.now)])
                let payload = try JSONCoding.encode([
                    "id": id.text, "email": email, "name": name, "created_at": Timestamp.format(context.now),
                ])
                try Outbox.append(
                    [OutboxEvent("identity.user.registered", subject: id, payload: payload, at: context.now)],
                    context: context, in: db)
                ids.append(id)
            }
            return ids
        }
    }

    static let adjectives = ["Vintage", "Handmade", "Compact", "Classic", "Rustic", "Modern", "Antique", "Sturdy"]
    static let nouns = ["Lamp", "Chair", "Camera", "Clock", "Radio", "Vase", "Bicycle", "Guitar", "Desk", "Teapot"]
}
