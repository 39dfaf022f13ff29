import Foundation
import GavelCore
import Synchronization
import Testing

@testable import GavelApp

/// How a worker sizes its batches under load: the linger of `BidWorker.run`.
@Suite("Bid engine batching")
struct BidBatchingTests {
    /// Queues `count` bids on `item` at a worker that is not running yet, alternating two bidders
    /// with rising amounts from `from`; returns their tasks once all are queued.
    private func queueBids(
        _ count: Int, on item: UUID, from: Int, at worker: BidWorker, bench: AuctionBench, bidders: (TestUser, TestUser),
        answered: Tally? = nil
    ) async throws -> [Task<CommandResult, any Error>] {
        var tasks: [Task<CommandResult, any Error>] = []
        for index in 0..<count {
            let command = bench.bidCommand(index.isMultiple(of: 2) ? bidders.0 : bidders.1, from + 100 * index)
            tasks.append(Task {
                defer { answered?.add() }
                return try await worker.submit(item, command)
            })
            // In order: each bid outbids the one before.
            try await Task.sleep(for: .milliseconds(5))
        }
        return tasks
    }

    /// Counts answered commands.
    final class Tally: Sendable {
        private let value = Mutex(0)
        var count: Int { value.withLock { $0 } }
        func add() { value.withLock { $0 += 1 } }
    }

    private func batchSizes(_ registry: MetricsRegistry) -> String {
        String(decoding: registry.exposition(), as: UTF8.self).split(separator: "\n")
            .filter { $0.hasPrefix("gavel_bid_batch_size_bucket") || $0.hasPrefix("gavel_bid_batch_size_count") }
            .joined(separator: "\n")
    }

    @Test("after a large batch the worker waits for half as many commands before the next, so they commit together")
    func lingerGathersTheNextBatch() async throws {
        let bench = try await AuctionBench()
        let seller = try await TestUser.make()
        let bidders = (try await TestUser.make(), try await TestUser.make())
        try await bench.run { client in
            let id = try #require(UUID(uuidString: try await client.listItem(seller, bench: bench)))
            let registry = MetricsRegistry()
            // A linger no test waits out: only the fifth command can end it.
            let worker = bench.worker(capacity: 20, linger: .seconds(60), metrics: AuctionMetrics(registry))
            let first = try await queueBids(10, on: id, from: 1_000, at: worker, bench: bench, bidders: bidders)
            let running = Task { await worker.run() }
            for task in first { guard case .bidAccepted = try await task.value else {
                Issue.record("a bid of the first batch was not accepted")
                return
            } }
            let answered = Tally()
            let next = try await queueBids(4, on: id, from: 2_000, at: worker, bench: bench, bidders: bidders, answered: answered)
            try await Task.sleep(for: .milliseconds(100))
            #expect(answered.count == 0, "four of the five wanted commands were committed without waiting")
            let fifth = try await queueBids(1, on: id, from: 2_400, at: worker, bench: bench, bidders: bidders)
            for task in next + fifth { guard case .bidAccepted = try await task.value else {
                Issue.record("a bid of the second batch was not accepted")
                return
            } }
            let sizes = batchSizes(registry)
            #expect(sizes.contains(#"gavel_bid_batch_size_bucket{le="4.0"} 0"#), "\(sizes)")
            #expect(sizes.contains(#"gavel_bid_batch_size_bucket{le="8.0"} 1"#), "\(sizes)")
            #expect(sizes.contains("gavel_bid_batch_size_count 2"), "\(sizes)")
            #expect(try await bench.storedBids(of: id).count == 15)
            worker.finish()
            await running.value
        }
    }

    @Test("a linger that runs out commits what is queued, and one that finds nothing queued forgets the load")
    func lingerRunsOut() async throws {
        let bench = try await AuctionBench()
        let seller = try await TestUser.make()
        let bidders = (try await TestUser.make(), try await TestUser.make())
        try await bench.run { client in
            let id = try #require(UUID(uuidString: try await client.listItem(seller, bench: bench)))
            let registry = MetricsRegistry()
            let worker = bench.worker(capacity: 30, linger: .milliseconds(300), metrics: AuctionMetrics(registry))
            let first = try await queueBids(20, on: id, from: 1_000, at: worker, bench: bench, bidders: bidders)
            let running = Task { await worker.run() }
            for task in first { _ = try await task.value }
            // One command where ten are wanted: committed alone once the linger runs out.
            let lone = try await queueBids(1, on: id, from: 3_000, at: worker, bench: bench, bidders: bidders)
            guard case .bidAccepted = try await lone[0].value else {
                Issue.record("the lone bid was not accepted")
                return
            }
            // Nothing queued through a whole linger: the next command is taken when it comes, and
            // the load is forgotten, so the one after it does not wait for more either (remembered,
            // the load would still want six).
            try await Task.sleep(for: .milliseconds(700))
            let after = try await queueBids(1, on: id, from: 3_100, at: worker, bench: bench, bidders: bidders)
            _ = try await after[0].value
            let answered = Tally()
            _ = try await queueBids(1, on: id, from: 3_200, at: worker, bench: bench, bidders: bidders, answered: answered)
            try await Task.sleep(for: .milliseconds(150))
            #expect(answered.count == 1, "the command after an idle linger waited for more")
            let sizes = batchSizes(registry)
            #expect(sizes.contains(#"gavel_bid_batch_size_bucket{le="1.0"} 3"#), "\(sizes)")
            #expect(sizes.contains("gavel_bid_batch_size_count 4"), "\(sizes)")
            worker.finish()
            await running.value
        }
    }
}
