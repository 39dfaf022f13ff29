import Foundation
import GRDB
import GavelCore
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import GavelApp

/// An auction test bench: the service itself (for the closer and storage) on a movable clock.
struct AuctionBench: Sendable {
    let clock: TestClock
    let service: GavelService

    init(database: String = ":memory:", clock: TestClock = TestClock(), environment: [String: String] = [:]) async throws {
        self.clock = clock
        let config = try await TestApp.config(database: database, environment: environment)
        service = try await buildApplication(config: config, logger: TestApp.logger, now: { [clock] in clock.now })
    }

    /// Runs `body` with the engine and closer running, as in the server.
    @discardableResult
    func run<Value: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        try await service.application.test(.router, body)
    }

    func timestamp(_ offset: TimeInterval) -> String { Timestamp.format(clock.now.addingTimeInterval(offset)) }

    /// Holds the one database writer for `seconds`, as a stalled disk would; returns once it is
    /// held. Await the task to know it was released.
    func holdWriter(for seconds: TimeInterval) async -> Task<Void, any Error> {
        let (held, hold) = AsyncStream<Void>.makeStream()
        let holder = Task {
            _ = try await service.store.write("test.hold") { _ in
                hold.yield()
                Thread.sleep(forTimeInterval: seconds)
                return true
            }
        }
        for await _ in held { break }
        return holder
    }

    /// A worker of the test's own on the bench's database and items, idle until the test runs
    /// it: commands submitted before that wait in its queue, so they make one batch.
    func worker(
        capacity: Int = 10, linger: Duration = BidWorker.lingerLimit,
        metrics: AuctionMetrics = AuctionMetrics(MetricsRegistry(enabled: false)),
        lookUp: (@Sendable (Store, [IdempotencyClaim]) async throws -> [IdempotentResponse?])? = nil
    ) -> BidWorker {
        var applier = BatchApplier(
            store: service.store, catalog: service.auctions.catalog, metrics: metrics, logger: TestApp.logger, onTransition: {})
        if let lookUp { applier.lookUp = lookUp }
        return BidWorker(index: 0, capacity: capacity, linger: linger, applier: applier)
    }

    /// A bid as the HTTP handler would submit it, at the bench's clock.
    func bidCommand(_ bidder: TestUser, _ amount: Int, max: Int? = nil, idempotency: IdempotencyClaim? = nil) -> ItemCommand {
        .bid(
            BidRequest(bidderID: bidder.id, amount: amount, maxAmount: max, at: clock.now),
            context: WriteContext(traceID: "t", correlationID: "c", now: clock.now), idempotency: idempotency)
    }

    /// Makes every insert into `bids` fail, as a broken disk would, until `repairBids()`.
    func breakBids() async throws {
        _ = try await service.store.write("test.break") { db in
            try db.execute(sql: "CREATE TRIGGER broken BEFORE INSERT ON bids BEGIN SELECT RAISE(ABORT, 'injected'); END")
            return true
        }
    }

    func repairBids() async throws {
        _ = try await service.store.write("test.repair") { db in
            try db.execute(sql: "DROP TRIGGER broken")
            return true
        }
    }

    /// An item's bids as the database holds them, newest first, found by scanning the table:
    /// independent of the in-memory index the API answers from.
    func storedBids(of item: UUID) async throws -> [BidRecord] {
        let seqs = try await service.store.read("test") { db in
            try Int64.fetchAll(db, sql: "SELECT seq FROM bids WHERE item_id = ? ORDER BY seq DESC", arguments: [item.text])
        }
        return try await service.store.read("test") { db in try ItemRecords.bids(seqs: seqs, in: db) }
    }
}

extension TestClientProtocol {
    func createItem(_ seller: TestUser, json: String) async throws -> TestResponse {
        try await post("/api/v1/items", json: json, headers: seller.authorization)
    }

    /// Creates an active item ending `ends` seconds from the bench clock; returns its id.
    func listItem(
        _ seller: TestUser, bench: AuctionBench, start: Int = 1_000, increment: Int = 100, ends: TimeInterval = 3_600,
        extra: String = ""
    ) async throws -> String {
        let response = try await createItem(
            seller,
            json: #"{"name": "Lot", "start_price": \#(start), "bid_increment": \#(increment), "ends_at": "\#(bench.timestamp(ends))"\#(extra)}"#)
        #expect(response.status == .created, "\(response.text)")
        return try #require(try response.object()["id"] as? String)
    }

    func bid(_ user: TestUser, on item: String, amount: Int, max: Int? = nil, headers: HTTPFields = [:]) async throws -> TestResponse {
        let maximum = max.map { #", "max_amount": \#($0)"# } ?? ""
        return try await post("/api/v1/items/\(item)/bids", json: #"{"amount": \#(amount)\#(maximum)}"#, headers: user.authorization + headers)
    }

    func item(_ id: String, as user: TestUser? = nil) async throws -> [String: Any] {
        try await execute(uri: "/api/v1/items/\(id)", method: .get, headers: user?.authorization ?? [:]).object()
    }
}
