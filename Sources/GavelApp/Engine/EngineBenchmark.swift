import Foundation
import GavelCore
import Logging
import Synchronization

/// Measures the bid engine alone (no HTTP): committed bids per second and the batch sizes
/// group commit reached, on a throw-away database with the configured durability.
public enum EngineBenchmark {
    public struct Report: Sendable, CustomStringConvertible {
        public let submitted: Int
        public let accepted: Int
        public let rejected: Int
        public let seconds: Double
        public let batches: Double
        public let meanBatch: Double
        public let meanCommitMilliseconds: Double

        public var description: String {
            let rate = Double(accepted) / seconds
            return """
                engine: \(submitted) bids submitted, \(accepted) committed, \(rejected) rejected in \
                \(String(format: "%.2f", seconds)) s = \(String(format: "%.0f", rate)) committed bids/s
                engine: \(Int(batches)) batches, mean batch size \(String(format: "%.1f", meanBatch)), \
                mean commit \(String(format: "%.2f", meanCommitMilliseconds)) ms
                """
        }
    }

    public static func run(config: AppConfig, items itemCount: Int, bids: Int, concurrency: Int, logger: Logger) async throws -> Report {
        var database = config.database
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gavel-bench-\(UUID().uuidString)")
        database.sqlitePath = directory.appendingPathComponent("bench.sqlite").path
        defer { try? FileManager.default.removeItem(at: directory) }
        let metrics = MetricsRegistry()
        let store = try Store.open(database, metrics: metrics, logger: logger)
        let now = Date()
        let seller = Identifier.make(at: now)
        let terms = AuctionTerms(
            currency: config.auctions.defaultCurrency, startPrice: 100, bidIncrement: 1, reservePrice: nil, buyoutPrice: nil,
            startsAt: now, endsAt: now.addingTimeInterval(86_400), extensionThreshold: 0, extensionDuration: 0, maxExtension: 0)
        let items = (0..<itemCount).map { _ in
            Item(
                id: Identifier.make(at: now), sellerID: seller, name: "bench", description: "", terms: terms,
                state: .opening(terms, status: .active), extensionOverridden: true, version: 1, createdAt: now, updatedAt: now)
        }
        _ = try await store.write("bench.items") { db in
            for item in items { try ItemRecords.insert(item, in: db) }
            return true
        }
        let catalog = ItemCatalog(items)
        var quiet = logger
        quiet.logLevel = .warning
        let applier = BatchApplier(store: store, catalog: catalog, metrics: AuctionMetrics(metrics), logger: quiet, onTransition: {})
        let engine = BidEngine(
            workers: config.auctions.workers, queueCapacity: max(config.auctions.queueCapacity, concurrency * 2),
            applier: applier, metrics: AuctionMetrics(metrics))
        let running = Task { try await engine.run() }
        let counters = Counters()
        let bidder = Identifier.make(at: now)
        let start = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    while true {
                        let n = counters.next.add(1, ordering: .relaxed).newValue
                        guard n <= bids else { return }
                        let item = items[n % items.count]
                        // Rising amounts per item: most bids are accepted, a few arrive late.
                        // Stamped when submitted, as a request is: ids and times follow arrival.
                        let context = WriteContext(traceID: "bench", correlationID: "bench")
                        let request = BidRequest(bidderID: bidder, amount: 100 + n, maxAmount: nil, currency: nil, at: context.now)
                        if case .bidAccepted? = try? await engine.submit(item.id, .bid(request, context: context, idempotency: nil)) {
                            counters.accepted.add(1, ordering: .relaxed)
                        }
                    }
                }
            }
        }
        let elapsed = (ContinuousClock.now - start).seconds
        engine.finish()
        try await running.value
        let exposition = String(decoding: metrics.exposition(), as: UTF8.self)
        func value(_ name: String) -> Double {
            exposition.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ")[1]) } ?? 0
        }
        let batches = value("gavel_bid_batch_size_count")
        let committed = counters.accepted.load(ordering: .relaxed)
        return Report(
            submitted: bids, accepted: committed, rejected: bids - committed, seconds: elapsed, batches: batches,
            meanBatch: batches > 0 ? value("gavel_bid_batch_size_sum") / batches : 0,
            meanCommitMilliseconds: batches > 0 ? value("gavel_bid_commit_duration_seconds_sum") * 1000 / batches : 0)
    }
}

private final class Counters: Sendable {
    let next = Atomic<Int>(0)
    let accepted = Atomic<Int>(0)
}
