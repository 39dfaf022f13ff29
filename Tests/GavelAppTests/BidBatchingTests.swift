import Foundation
import GavelCore
import Synchronization
import Testing

@testable import GavelApp

/// How a worker sizes its batches under load: the linger of `BidWorker.run`.
@Suite("Bid engine batching")
struct BidBatchingTests {
    /// One listed item, two bidders and a worker that is not running yet, with its own metrics.
    private struct Setup: Sendable {
        let bench: AuctionBench
        let item: UUID
        let bidders: (TestUser, TestUser)
        let registry: MetricsRegistry
        let worker: BidWorker

        /// Queues `count` bids on the item, alternating the bidders with rising amounts from
        /// `from`; returns their tasks once all are queued.
        func queue(_ count: Int, from: Int, answered: Tally? = nil) async throws -> [Task<CommandResult, any Error>] {
            var tasks: [Task<CommandResult, any Error>] = []
            for index in 0..<count {
                let command = bench.bidCommand(index.isMultiple(of: 2) ? bidders.0 : bidders.1, from + 100 * index)
                tasks.append(Task { [worker, item] in
                    defer { answered?.add() }
                    return try await worker.submit(item, command)
                })
                // In order: each bid outbids the one before.
                try await Task.sleep(for: .milliseconds(5))
            }
            return tasks
        }

        /// The batch-size histogram's buckets and count, as exposed.
        var batchSizes: String {
            String(decoding: registry.exposition(), as: UTF8.self).split(separator: "\n")
                .filter { $0.hasPrefix("gavel_bid_batch_size_bucket") || $0.hasPrefix("gavel_bid_batch_size_count") }
                .joined(separator: "\n")
        }
    }

    private func withSetup(capacity: Int, linger: Duration, _ body: @Sendable @escaping (Setup) async throws -> Void) async throws {
        let bench = try await AuctionBench()
        let seller = try await TestUser.make()
        let bidders = (try await TestUser.make(), try await TestUser.make())
        try await bench.run { client in
            let item = try #require(UUID(uuidString: try await client.listItem(seller, bench: bench)))
            let registry = MetricsRegistry()
            let worker = bench.worker(capacity: capacity, linger: linger, metrics: AuctionMetrics(registry))
            try await body(Setup(bench: bench, item: item, bidders: bidders, registry: registry, worker: worker))
        }
    }

    /// Counts answered commands.
    final class Tally: Sendable {
        private let value = Mutex(0)
        var count: Int { value.withLock { $0 } }
        func add() { value.withLock { $0 += 1 } }
    }

    @Test("after a large batch the worker waits for half as many commands before the next, so they commit together")
    func lingerGathersTheNextBatch() async throws {
        // A linger no test waits out: only the fifth command can end it.
        try await withSetup(capacity: 20, linger: .seconds(60)) { setup in
            let first = try await setup.queue(10, from: 1_000)
            let running = Task { await setup.worker.run() }
            for task in first { guard case .bidAccepted = try await task.value else {
                Issue.record("a bid of the first batch was not accepted")
                return
            } }
            let answered = Tally()
            let next = try await setup.queue(4, from: 2_000, answered: answered)
            try await Task.sleep(for: .milliseconds(100))
            #expect(answered.count == 0, "four of the five wanted commands were committed without waiting")
            let fifth = try await setup.queue(1, from: 2_400)
            for task in next + fifth { guard case .bidAccepted = try await task.value else {
                Issue.record("a bid of the second batch was not accepted")
                return
            } }
            let sizes = setup.batchSizes
            #expect(sizes.contains(#"gavel_bid_batch_size_bucket{le="4.0"} 0"#), "\(sizes)")
            #expect(sizes.contains(#"gavel_bid_batch_size_bucket{le="8.0"} 1"#), "\(sizes)")
            #expect(sizes.contains("gavel_bid_batch_size_count 2"), "\(sizes)")
            #expect(try await setup.bench.storedBids(of: setup.item).count == 15)
            setup.worker.finish()
            await running.value
        }
    }

    @Test("a linger that runs out commits what is queued, and one that finds nothing queued forgets the load")
    func lingerRunsOut() async throws {
        try await withSetup(capacity: 30, linger: .milliseconds(300)) { setup in
            let first = try await setup.queue(20, from: 1_000)
            let running = Task { await setup.worker.run() }
            for task in first { _ = try await task.value }
            // One command where ten are wanted: committed alone once the linger runs out.
            let lone = try await setup.queue(1, from: 3_000)
            guard case .bidAccepted = try await lone[0].value else {
                Issue.record("the lone bid was not accepted")
                return
            }
            // Nothing queued through a whole linger: the next command is taken when it comes, and
            // the load is forgotten, so the one after it does not wait for more either (remembered,
            // the load would still want six).
            try await Task.sleep(for: .milliseconds(700))
            let after = try await setup.queue(1, from: 3_100)
            _ = try await after[0].value
            let answered = Tally()
            _ = try await setup.queue(1, from: 3_200, answered: answered)
            try await Task.sleep(for: .milliseconds(150))
            #expect(answered.count == 1, "the command after an idle linger waited for more")
            let sizes = setup.batchSizes
            #expect(sizes.contains(#"gavel_bid_batch_size_bucket{le="1.0"} 3"#), "\(sizes)")
            #expect(sizes.contains("gavel_bid_batch_size_count 4"), "\(sizes)")
            setup.worker.finish()
            await running.value
        }
    }
}
