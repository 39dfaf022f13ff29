import Foundation
import GavelCore
import Logging
import ServiceLifecycle

/// The in-process bid engine: `auctions.workers` workers, each owning the items whose id hashes
/// to it, so one item's commands are applied in arrival order by one writer while different
/// items proceed in parallel. Runs as a service: on graceful shutdown it refuses new commands,
/// finishes and commits everything queued, then returns.
final class BidEngine: Service, Sendable {
    let workers: [BidWorker]
    private let metrics: AuctionMetrics

    init(workers count: Int, queueCapacity: Int, applier: BatchApplier, metrics: AuctionMetrics) {
        let perWorker = max(1, queueCapacity / count)
        self.workers = (0..<count).map { BidWorker(index: $0, capacity: perWorker, applier: applier) }
        self.metrics = metrics
        metrics.queueCapacity.record(perWorker * count)
    }

    func submit(_ itemID: UUID, _ command: ItemCommand) async throws -> CommandResult {
        let worker = workers[Self.route(itemID, count: workers.count)]
        return try await worker.submit(itemID, command)
    }

    /// Called when draining begins (SIGTERM): new bids get 503 at once, queued ones still
    /// commit. The workers keep running until `finish()`.
    func stopAccepting() {
        for worker in workers { worker.stopAccepting() }
    }

    /// Refuses new commands; `run()` returns once every queue is drained.
    func finish() {
        for worker in workers { worker.finish() }
    }

    /// Runs the workers until `finish()` — called on this service's graceful shutdown, which
    /// comes after the HTTP server has answered its in-flight requests — and their queues are
    /// drained. Returning earlier would count as a service failure.
    func run() async throws {
        // Not a child of the workers' group: outside a service group `gracefulShutdown()` never
        // returns, and the workers must be able to finish without it.
        let watcher = Task { [self] in
            try? await gracefulShutdown()
            finish()
        }
        // Cancellation (a sibling service failed, e.g. the port was taken) ends the workers the
        // same way, after what is queued; without this the process hung instead of exiting.
        await withTaskCancellationHandler {
            await withDiscardingTaskGroup { group in
                for worker in workers {
                    group.addTask { await worker.run() }
                }
            }
        } onCancel: {
            finish()
        }
        watcher.cancel()
    }

    /// A stable, uniform worker index from the id's random bits.
    static func route(_ id: UUID, count: Int) -> Int {
        let bytes = id.uuid
        let value = UInt64(bytes.15) | UInt64(bytes.14) << 8 | UInt64(bytes.13) << 16 | UInt64(bytes.12) << 24
        return Int(value % UInt64(count))
    }
}
