import Foundation
import GRDB
import GavelCore
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import GavelApp

@Suite("SQLite storage")
struct StorageTests {
    static func temporaryDatabase() -> String {
        Scratch.path("gavel.sqlite")
    }

    @Test("products and events survive a restart on a database file")
    func persistsAcrossRestart() async throws {
        let path = Self.temporaryDatabase()
        let seller = try await TestUser.make()
        let config = try await TestApp.config(database: path)
        let id = try await TestApp.withRouter(config) { client in
            try #require(try await client.createProduct(seller, name: "Durable")["id"] as? String)
        }
        try await TestApp.withRouter(config) { client in
            let response = try await client.execute(uri: "/api/v1/products/\(id)", method: .get)
            #expect(try response.object()["name"] as? String == "Durable")
            let next = try await client.createProduct(seller, name: "Second")
            #expect(next["id"] as? String != id)
            let feed = try await client.execute(uri: "/api/v1/events?after=1", method: .get)
            let events = try #require(try feed.object()["data"] as? [[String: Any]])
            #expect(events.compactMap { $0["seq"] as? Int } == [2])
        }
        let mode = try await DatabaseQueue(path: path).read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
    }

    @Test("the writer commits with the configured synchronous level, on a file and in memory", arguments: [
        (AppConfig.Synchronous.full, 2), (.normal, 1), (.off, 0), (.extra, 3),
    ])
    func synchronousLevel(level: AppConfig.Synchronous, expected: Int) async throws {
        for path in [Self.temporaryDatabase(), ":memory:"] {
            var config = try await TestApp.config(database: path).database
            config.synchronous = level
            let store = try Store.open(config, metrics: MetricsRegistry(enabled: false), logger: TestApp.logger)
            let value = try await store.write("test") { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
            #expect(value == expected, "\(path)")
        }
    }

    @Test("events of a rolled-back write are neither published nor counted; the next commit's are")
    func rolledBackEvents() async throws {
        let config = try await TestApp.config()
        let metrics = MetricsRegistry()
        let store = try Store.open(config.database, metrics: metrics, logger: TestApp.logger)
        let subject = Identifier.make()
        struct Refused: Error {}
        @Sendable func event() -> OutboxEvent { OutboxEvent("item.updated", subject: subject, payload: Array("{}".utf8), at: Date()) }
        let context = WriteContext(traceID: "t", correlationID: "c")
        await #expect(throws: Refused.self) {
            try await store.write("test") { db in
                try Outbox.append([event()], context: context, in: db)
                throw Refused()
            }
        }
        #expect(store.feed.lastSeq == 0)
        #expect(store.feed.seqs(of: subject, after: 0, limit: 10).isEmpty)
        // `append` answers the last sequence number it wrote.
        let second = try await store.write("test") { db in try Outbox.append([event(), event()], context: context, in: db) }
        #expect(second == 2)
        #expect(store.feed.lastSeq == 2)
        #expect(store.feed.seqs(of: subject, after: 0, limit: 10) == [1, 2])
        // Only items have streams of their own: a product's events are not indexed by subject.
        let product = Identifier.make()
        let third = try await store.write("test") { db in
            try Outbox.append([OutboxEvent("product.created", subject: product, payload: Array("{}".utf8), at: Date())], context: context, in: db)
        }
        #expect(third == 3)
        #expect(store.feed.lastSeq == 3)
        #expect(store.feed.seqs(of: product, after: 0, limit: 10).isEmpty)
        let exposition = String(decoding: metrics.exposition(), as: UTF8.self)
        #expect(exposition.contains(#"gavel_events_total{event="item.updated"} 2"#), "\(exposition)")
    }

    @Test("events and bids bound directly read back exactly, NULLs included; a failed insert is a DatabaseError")
    func directInserts() async throws {
        let config = try await TestApp.config()
        let store = try Store.open(config.database, metrics: MetricsRegistry(enabled: false), logger: TestApp.logger)
        let event = OutboxEvent("bid.placed", subject: nil, payload: Array(#"{"name":"Zoë \"Ω\""}"#.utf8), at: Date())
        let context = WriteContext(traceID: "trace", correlationID: "correlation")
        let bid = BidRecord(
            id: Identifier.make(), itemID: Identifier.make(), bidderID: Identifier.make(), amount: 12, maxAmount: 34,
            priceAfter: 12, leaderAfter: Identifier.make(), leaderMaxAfter: nil, createdAt: Timestamp.truncated(Date()))
        let seqs = try await store.write("test") { db in
            (try Outbox.append([event], context: context, in: db), try ItemRecords.insert(bid, in: db))
        }
        let (stored, storedBids) = try await store.read("test") { db in
            (try Outbox.read(seqs: [seqs.0], in: db), try ItemRecords.bids(seqs: [seqs.1], in: db))
        }
        #expect(stored.first?.payload == #"{"name":"Zoë \"Ω\""}"#)
        #expect(stored.first?.subjectID == nil)
        #expect(stored.first?.id == event.id.text)
        #expect(stored.first?.traceID == "trace" && stored.first?.correlationID == "correlation")
        #expect(storedBids == [bid])
        // A refused insert surfaces as SQLite's error, and the transaction writes nothing.
        try await store.write("test") { db in
            try db.execute(sql: "CREATE TRIGGER refuse BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'refused'); END")
        }
        let error = await #expect(throws: DatabaseError.self) {
            try await store.write("test") { db in try Outbox.append([event], context: context, in: db) }
        }
        #expect(error?.message == "refused")
        #expect(try await store.read("test") { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events") } == 1)
    }

    @Test("`gavel migrate` is repeatable: opening twice applies nothing new")
    func migrationsIdempotent() async throws {
        let path = Self.temporaryDatabase()
        let config = try await TestApp.config(database: path)
        _ = try Store.open(config.database, metrics: MetricsRegistry(enabled: false), logger: TestApp.logger)
        let store = try Store.open(config.database, metrics: MetricsRegistry(enabled: false), logger: TestApp.logger)
        let applied = try await store.read("test") { db in try Migrations.migrator.appliedIdentifiers(db) }
        #expect(applied == [
            "v1-foundation", "v2-identity", "v3-auctions", "v4-private-registrations", "v5-append-only-bids",
            "v6-lean-append-tables",
        ])
    }

    @Test("seeded users' registration events carry the public account shape, without the email")
    func seededRegistrations() async throws {
        let config = try await TestApp.config()
        let store = try Store.open(config.database, metrics: MetricsRegistry(enabled: false), logger: TestApp.logger)
        try await Seeder(store: store, config: config, logger: TestApp.logger).run(users: 2, products: 0)
        let payloads = try await store.read("test") { db in
            try String.fetchAll(db, sql: "SELECT payload FROM events WHERE event = 'identity.user.registered'")
        }
        #expect(payloads.count == 2)
        for payload in payloads {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any])
            #expect(Set(object.keys) == ["id", "name", "created_at"], "\(payload)")
        }
    }

    @Test("v4 removes email addresses from registrations already in the event feed, and nothing else")
    func registrationsLoseTheirEmail() throws {
        let queue = try DatabaseQueue()
        try Migrations.migrator.migrate(queue, upTo: "v3-auctions")
        try queue.write { db in
            for (event, payload) in [
                ("identity.user.registered", #"{"created_at":"2026-01-01T00:00:00.000Z","email":"a@b.test","id":"x","name":"A"}"#),
                ("product.created", #"{"email":"kept@b.test","id":"p"}"#),
            ] {
                try db.execute(
                    sql: """
                        INSERT INTO events (id, event, version, timestamp, trace_id, correlation_id, subject_id, payload)
                        VALUES (?, ?, 'v1', 0, 't', 'c', NULL, ?)
                        """, arguments: [UUID().text, event, payload])
            }
        }
        try Migrations.migrator.migrate(queue)
        let payloads = try queue.read { db in try String.fetchAll(db, sql: "SELECT payload FROM events ORDER BY seq") }
        #expect(payloads == [
            #"{"created_at":"2026-01-01T00:00:00.000Z","id":"x","name":"A"}"#, #"{"email":"kept@b.test","id":"p"}"#,
        ])
    }

    @Test("v6 keeps every bid and event with its seq, drops the id indexes and AUTOINCREMENT, and new rows follow the last")
    func leanAppendTables() throws {
        let queue = try DatabaseQueue()
        try Migrations.migrator.migrate(queue, upTo: "v5-append-only-bids")
        let item = Identifier.make(), bidder = Identifier.make()
        try queue.write { db in
            // Gaps, as rolled-back transactions leave them.
            for seq in [1, 2, 5] {
                try db.execute(
                    sql: """
                        INSERT INTO events (seq, id, event, version, timestamp, trace_id, correlation_id, subject_id, payload)
                        VALUES (?, ?, 'bid.placed', 'v1', ?, 't', 'c', ?, '{}')
                        """, arguments: [seq, Identifier.make().text, seq * 1_000, seq == 2 ? nil : item.text])
                try db.execute(
                    sql: """
                        INSERT INTO bids (seq, id, item_id, bidder_id, amount, max_amount, price_after, leader_after, created_at,
                            leader_max_after)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        seq, Identifier.make().text, item.text, bidder.text, seq * 100, seq * 200, seq * 100, bidder.text, seq * 1_000,
                        seq == 1 ? nil : seq * 200,
                    ])
            }
        }
        let dump = { (db: Database) in
            (try Row.fetchAll(db, sql: "SELECT * FROM events ORDER BY seq"), try Row.fetchAll(db, sql: "SELECT * FROM bids ORDER BY seq"))
        }
        let before = try queue.read(dump)
        try Migrations.migrator.migrate(queue)
        let after = try queue.read(dump)
        #expect(after.0 == before.0)
        #expect(after.1 == before.1)
        try queue.read { db in
            for table in ["events", "bids"] {
                #expect(try Row.fetchAll(db, sql: "PRAGMA index_list(\(table))").isEmpty, "\(table)")
                let sql = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = ?", arguments: [table]) ?? ""
                #expect(!sql.contains("AUTOINCREMENT") && sql.contains("STRICT"), "\(sql)")
            }
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_sequence WHERE name IN ('events', 'bids')") == 0)
        }
        let event = OutboxEvent("bid.placed", subject: item, payload: Array("{}".utf8), at: Date())
        let bid = BidRecord(
            id: Identifier.make(), itemID: item, bidderID: bidder, amount: 700, maxAmount: 700, priceAfter: 700,
            leaderAfter: bidder, leaderMaxAfter: 700, createdAt: Timestamp.truncated(Date()))
        let seqs = try queue.write { db in
            (try Outbox.append([event], context: WriteContext(traceID: "t", correlationID: "c"), in: db), try ItemRecords.insert(bid, in: db))
        }
        #expect(seqs.0 == 6 && seqs.1 == 6)
        #expect(try queue.read { db in try ItemRecords.bids(seqs: [seqs.1], in: db) } == [bid])
    }

    @Test("when every database slot stays busy past acquire_timeout a write is 503 with Retry-After")
    func saturatedGate() async throws {
        let config = try await TestApp.config(environment: [
            "GAVEL_DATABASE_MAX_CONCURRENCY": "1", "GAVEL_DATABASE_ACQUIRE_TIMEOUT": "50ms",
        ])
        let service = try await buildApplication(config: config, logger: TestApp.logger)
        let seller = try await TestUser.make()
        let (released, release) = AsyncStream<Void>.makeStream()
        let (held, hold) = AsyncStream<Void>.makeStream()
        let holder = Task {
            try await service.store.gate.withSlot("test.hold") {
                hold.yield()
                for await _ in released { break }
            }
        }
        for await _ in held { break }
        try await service.application.test(.router) { client in
            let response = try await client.post("/api/v1/products", json: #"{"name": "Busy", "price": 1}"#, headers: seller.authorization)
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.retryAfter] == "1")
            #expect(try response.problemCode() == "service.overloaded")
            release.finish()
            try await holder.value
            let retry = try await client.post("/api/v1/products", json: #"{"name": "Busy", "price": 1}"#, headers: seller.authorization)
            #expect(retry.status == .created)
        }
    }

    @Test("the gate never runs more than its limit at once and serves waiters in turn")
    func gateBounds() async throws {
        let gate = AdmissionGate(limit: 3, acquireTimeout: .seconds(10))
        let counter = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<40 {
                group.addTask {
                    try await gate.withSlot("test") {
                        await counter.enter()
                        try await Task.sleep(for: .milliseconds(2))
                        await counter.leave()
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(await counter.peak == 3)
        #expect(gate.inUse == 0)
    }

    @Test("a gate with a full queue refuses at once instead of growing it")
    func gateQueueBound() async throws {
        let gate = AdmissionGate(limit: 1, acquireTimeout: .seconds(10), maxWaiters: 1)
        let (released, release) = AsyncStream<Void>.makeStream()
        let (held, hold) = AsyncStream<Void>.makeStream()
        let holder = Task { try await gate.withSlot("hold") { hold.yield(); for await _ in released { break } } }
        for await _ in held { break }
        let waiter = Task { try await gate.withSlot("wait") {} }
        while gate.waiting == 0 { await Task.yield() }
        await #expect(throws: StorageError.overloaded) { try await gate.withSlot("third") {} }
        release.finish()
        try await holder.value
        try await waiter.value
        #expect(gate.inUse == 0)
    }

    @Test("cancelled writes are all-or-nothing: what reported success is stored with its event, nothing else is",
        arguments: [":memory:", "file"])
    func cancellation(database: String) async throws {
        let config = try await TestApp.config(database: database == "file" ? Self.temporaryDatabase() : database)
        let store = try Store.open(config.database, metrics: MetricsRegistry(enabled: false), logger: TestApp.logger)
        let repository = try await SQLiteProductRepository(store: store)
        let seller = Identifier.make()
        var tasks: [(UUID, Task<Bool, Never>)] = []
        for index in 0..<60 {
            let now = Timestamp.truncated(Date())
            let product = Product(
                id: Identifier.make(), sellerID: seller, name: "P\(index)", description: "", price: 10, currency: Currency("EUR")!,
                stock: 1, version: 1, createdAt: now, updatedAt: now)
            let task = Task {
                (try? await repository.create(product, context: WriteContext(traceID: "t", correlationID: "c"), claim: nil)) != nil
            }
            tasks.append((product.id, task))
            if index % 2 == 0 { task.cancel() }
        }
        var succeeded: Set<UUID> = []
        for (id, task) in tasks where await task.value { succeeded.insert(id) }
        let (stored, events) = try await store.read("test") { db in
            (
                Set(try String.fetchAll(db, sql: "SELECT id FROM products").compactMap(UUID.init(uuidString:))),
                Set(try String.fetchAll(db, sql: "SELECT subject_id FROM events WHERE event = 'product.created'").compactMap(UUID.init(uuidString:)))
            )
        }
        #expect(stored == succeeded)
        #expect(events == succeeded)
        for (id, _) in tasks {
            #expect((try await repository.find(id) != nil) == succeeded.contains(id))
        }
    }
}

/// Tracks how many callers are inside a section at once.
actor Counter {
    private(set) var current = 0
    private(set) var peak = 0

    func enter() {
        current += 1
        peak = max(peak, current)
    }

    func leave() { current -= 1 }
}
