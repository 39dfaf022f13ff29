import CoreMetrics
import Metrics
import Prometheus

/// The application's metrics: a Prometheus registry of its own (so tests and several
/// applications in one process never share counters) behind the swift-metrics API.
public struct MetricsRegistry: Sendable {
    public let registry: PrometheusCollectorRegistry
    let factory: any MetricsFactory

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), enabled: Bool = true) {
        self.registry = registry
        if enabled {
            var prometheus = PrometheusMetricsFactory(registry: registry)
            prometheus.defaultDurationHistogramBuckets = Self.latencyBuckets
            prometheus.valueHistogramBuckets["gavel_bid_batch_size"] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]
            self.factory = prometheus
        } else {
            self.factory = NOOPMetricsHandler.instance
        }
    }

    /// Sub-millisecond resolution at the fast end: most requests here are served from memory.
    static let latencyBuckets: [Duration] = [
        .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .milliseconds(2_500), .seconds(5), .seconds(10),
    ]

    func counter(_ label: String, _ dimensions: [(String, String)] = []) -> CoreMetrics.Counter {
        CoreMetrics.Counter(label: label, dimensions: dimensions, factory: factory)
    }

    func floatingCounter(_ label: String) -> CoreMetrics.FloatingPointCounter {
        CoreMetrics.FloatingPointCounter(label: label, dimensions: [], factory: factory)
    }

    func gauge(_ label: String, _ dimensions: [(String, String)] = []) -> CoreMetrics.Gauge {
        CoreMetrics.Gauge(label: label, dimensions: dimensions, factory: factory)
    }

    func timer(_ label: String, _ dimensions: [(String, String)] = []) -> Metrics.Timer {
        Metrics.Timer(label: label, dimensions: dimensions, preferredDisplayUnit: .seconds, factory: factory)
    }

    /// The Prometheus text exposition of everything registered.
    public func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16_384)
        registry.emit(into: &buffer)
        return buffer
    }
}

extension Metrics.Timer {
    func recordInterval(since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let (seconds, attoseconds) = elapsed.components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

/// Storage metrics of SPEC §7, fed by the database's admission gate.
struct StorageMetrics: GateObserver {
    private let semaphoreInUse: CoreMetrics.Gauge
    private let semaphoreWait: Metrics.Timer
    private let registry: MetricsRegistry

    init(_ registry: MetricsRegistry) {
        self.registry = registry
        self.semaphoreInUse = registry.gauge("gavel_db_semaphore_in_use")
        self.semaphoreWait = registry.timer("gavel_db_semaphore_wait_seconds")
    }

    func slotsInUse(_ count: Int) { semaphoreInUse.record(count) }

    func waited(since start: ContinuousClock.Instant) { semaphoreWait.recordInterval(since: start) }

    func operation(_ name: String, since start: ContinuousClock.Instant) {
        registry.timer("gavel_db_operation_duration_seconds", [("operation", name)]).recordInterval(since: start)
    }
}
