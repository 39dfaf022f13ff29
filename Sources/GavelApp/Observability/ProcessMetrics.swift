import Foundation
import Metrics
import Synchronization

/// Process metrics (`process_*`), read from `/proc/self` each time `/metrics` is scraped.
final class ProcessMetrics: Sendable {
    private let residentMemory: Gauge
    private let openFDs: Gauge
    private let startTime: Gauge
    private let cpuSeconds: FloatingPointCounter
    private let reportedCPU = Mutex(0.0)

    init(_ registry: MetricsRegistry, version: String) {
        residentMemory = registry.gauge("process_resident_memory_bytes")
        openFDs = registry.gauge("process_open_fds")
        startTime = registry.gauge("process_start_time_seconds")
        cpuSeconds = registry.floatingCounter("process_cpu_seconds_total")
        registry.gauge("gavel_build_info", [("version", version)]).record(1)
        if let start = Self.startTimeSeconds() { startTime.record(start) }
    }

    func update() {
        if let stat = Self.selfStat() {
            residentMemory.record(stat.rssPages * Self.pageSize)
            let cpu = stat.cpuTicks / Self.ticksPerSecond
            // The counter only moves forward by what was used since the last scrape.
            let delta = reportedCPU.withLock { reported -> Double in
                let delta = max(0, cpu - reported)
                reported = max(reported, cpu)
                return delta
            }
            if delta > 0 { cpuSeconds.increment(by: delta) }
        }
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            openFDs.record(entries.count)
        }
    }

    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
    private static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    private struct Stat {
        let cpuTicks: Double
        let rssPages: Int
        let startTicks: Double
    }

    /// Fields of `/proc/self/stat` after the parenthesised command name (proc(5)).
    private static func selfStat() -> Stat? {
        guard let text = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state): utime is field 14, stime 15, starttime 22, rss 24.
        guard fields.count > 21, let utime = Double(fields[11]), let stime = Double(fields[12]),
            let start = Double(fields[19]), let rss = Int(fields[21])
        else { return nil }
        return Stat(cpuTicks: utime + stime, rssPages: rss, startTicks: start)
    }

    private static func startTimeSeconds() -> Double? {
        guard let stat = selfStat(),
            let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("btime ") }),
            let boot = Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
        else { return nil }
        return boot + stat.startTicks / ticksPerSecond
    }
}
