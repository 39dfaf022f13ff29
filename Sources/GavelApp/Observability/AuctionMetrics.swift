import GavelCore
import Metrics
import Synchronization

/// Bid and auction metrics of SPEC §7.
final class AuctionMetrics: Sendable {
    private let registry: MetricsRegistry
    let queueDepth: CoreMetrics.Gauge
    let queueCapacity: CoreMetrics.Gauge
    let workersBusy: CoreMetrics.Gauge
    let batchSize: Recorder
    let commitDuration: Metrics.Timer
    let deadLetters: CoreMetrics.Counter
    let extensions: CoreMetrics.Counter
    private let busy = Atomic<Int>(0)
    private let queued = Atomic<Int>(0)

    init(_ registry: MetricsRegistry) {
        self.registry = registry
        queueDepth = registry.gauge("gavel_bid_queue_depth")
        queueCapacity = registry.gauge("gavel_bid_queue_capacity")
        workersBusy = registry.gauge("gavel_bid_workers_busy")
        batchSize = Recorder(label: "gavel_bid_batch_size", dimensions: [], aggregate: true, factory: registry.factory)
        commitDuration = registry.timer("gavel_bid_commit_duration_seconds")
        deadLetters = registry.counter("gavel_bid_dead_letters_total")
        extensions = registry.counter("gavel_auction_extensions_total")
        for outcome in ["accepted", "rejected", "failed"] { _ = registry.counter("gavel_bids_total", [("outcome", outcome)]) }
        for result in ["sold", "unsold"] { _ = registry.counter("gavel_auctions_closed_total", [("result", result)]) }
        // Every series exists from the start at 0, so the first rejection shows in rate().
        for rejection in BidRejection.allCases { _ = registry.counter("gavel_bid_rejections_total", [("code", rejection.code)]) }
        queueDepth.record(0)
        workersBusy.record(0)
    }

    func bids(_ outcome: String, count: Int = 1) {
        guard count > 0 else { return }
        registry.counter("gavel_bids_total", [("outcome", outcome)]).increment(by: count)
    }

    func rejection(_ code: String) {
        registry.counter("gavel_bid_rejections_total", [("code", code)]).increment()
    }

    func closed(_ result: String) {
        registry.counter("gavel_auctions_closed_total", [("result", result)]).increment()
    }

    /// Commands entered (positive) or left (negative) the workers' queues.
    func queueChanged(by delta: Int) { queueDepth.record(queued.add(delta, ordering: .relaxed).newValue) }

    func workerStarted() { workersBusy.record(busy.add(1, ordering: .relaxed).newValue) }
    func workerFinished() { workersBusy.record(busy.subtract(1, ordering: .relaxed).newValue) }
}
