import Metrics
import Synchronization

/// HTTP metrics of SPEC §7. Handles are created once per label set and reused.
final class HTTPMetrics: Sendable {
    private let registry: MetricsRegistry
    private let inFlightGauge: Gauge
    private let inFlight = Atomic<Int>(0)
    private let counters = Mutex<[String: Counter]>([:])
    private let timers = Mutex<[String: Metrics.Timer]>([:])

    init(_ registry: MetricsRegistry) {
        self.registry = registry
        self.inFlightGauge = registry.gauge("gavel_http_requests_in_flight")
    }

    func started() {
        inFlightGauge.record(inFlight.add(1, ordering: .relaxed).newValue)
    }

    func finished(method: String, route: String, status: Int, since start: ContinuousClock.Instant) {
        inFlightGauge.record(inFlight.subtract(1, ordering: .relaxed).newValue)
        let timerKey = method + " " + route
        let timer = timers.withLock { timers in
            if let timer = timers[timerKey] { return timer }
            let timer = registry.timer("gavel_http_request_duration_seconds", [("method", method), ("route", route)])
            timers[timerKey] = timer
            return timer
        }
        timer.recordInterval(since: start)
        let counterKey = timerKey + " " + String(status)
        let counter = counters.withLock { counters in
            if let counter = counters[counterKey] { return counter }
            let counter = registry.counter(
                "gavel_http_requests_total", [("method", method), ("route", route), ("status", String(status))])
            counters[counterKey] = counter
            return counter
        }
        counter.increment()
    }
}
