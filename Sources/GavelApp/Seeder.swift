import Foundation
import GRDB
import GavelCore
import HummingbirdBcrypt
import Logging

/// Demo data for the web app and load tests: users `user1@gavel.test`… with the password
/// `Seeder.password`, products spread over them, and active auctions ending from a few minutes
/// to two days from now. Running it again adds only missing users and products (and more items).
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

    public func run(users: Int, products: Int, items: Int = 0) async throws {
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
        let auctions = try await seedItems(items, sellers: sellers)
        logger.info("seeded", metadata: ["users": "\(sellers.count)", "products_created": "\(created)", "items_created": "\(auctions)"])
    }

    /// Active auctions with a spread of end times: every tenth ends within minutes (for watching
    /// a close), the rest within two days.
    private func seedItems(_ count: Int, sellers: [UUID]) async throws -> Int {
        guard count > 0, !sellers.isEmpty else { return 0 }
        let now = Timestamp.truncated(Date())
        let defaults = AuctionDefaults(
            currency: config.auctions.defaultCurrency, extensionThreshold: config.auctions.extensionThreshold.seconds,
            extensionDuration: config.auctions.extensionDuration.seconds, maxExtension: config.auctions.maxExtension.seconds,
            maxDuration: config.auctions.maxDuration.seconds)
        var items: [Item] = []
        for index in 0..<count {
            let minutes = index % 10 == 0 ? 5 + index % 25 : 60 + (index * 37) % (48 * 60)
            let start = 1_000 + (index * 7_919) % 49_000
            let validated = try ItemRules.validate(
                ItemDraft(
                    name: "\(Self.adjectives[(index + 3) % Self.adjectives.count]) \(Self.nouns[(index / 3) % Self.nouns.count]) lot \(index + 1)",
                    description: "Demo auction \(index + 1).", startPrice: start, bidIncrement: max(50, start / 20),
                    reservePrice: index % 4 == 0 ? start * 2 : nil, buyoutPrice: index % 5 == 0 ? start * 10 : nil,
                    endsAt: now.addingTimeInterval(Double(minutes * 60))),
                now: now, defaults: defaults)
            items.append(Item(
                id: Identifier.make(at: now), sellerID: sellers[index % sellers.count], name: validated.name,
                description: validated.description, terms: validated.terms,
                state: AuctionState.opening(validated.terms, status: .active), extensionOverridden: false, version: 1,
                createdAt: now, updatedAt: now))
        }
        let context = WriteContext(traceID: "seed", correlationID: "seed", now: now)
        for chunk in stride(from: 0, to: items.count, by: 200).map({ Array(items[$0..<min($0 + 200, items.count)]) }) {
            _ = try await store.write("item.seed") { db in
                for item in chunk {
                    try ItemRecords.insert(item, in: db)
                    try Outbox.append(
                        [OutboxEvent("item.created", subject: item.id, payload: ItemRepresentation.json(item), at: now)],
                        context: context, in: db)
                }
                return true
            }
        }
        return items.count
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
                let account = Account(
                    id: Identifier.make(at: context.now), email: email, name: "Demo User \(index)", passwordHash: hash,
                    createdAt: context.now)
                try db.execute(
                    sql: "INSERT INTO users (id, email, name, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [
                        account.id.text, email, account.name, hash, Timestamp.millis(context.now), Timestamp.millis(context.now),
                    ])
                try Outbox.append(
                    [OutboxEvent("identity.user.registered", subject: account.id, payload: try AccountRepresentation.registered(account), at: context.now)],
                    context: context, in: db)
                ids.append(account.id)
            }
            return ids
        }
    }

    static let adjectives = ["Vintage", "Handmade", "Compact", "Classic", "Rustic", "Modern", "Antique", "Sturdy"]
    static let nouns = ["Lamp", "Chair", "Camera", "Clock", "Radio", "Vase", "Bicycle", "Guitar", "Desk", "Teapot"]
}
