import Foundation
import NIOCore

/// How many processors this process can use: "one per core" sizes the bid workers, the password
/// hashing slots and the event loops by it.
///
/// Foundation's `activeProcessorCount` counts the machine's processors. That overstates both
/// a CPU quota (`cpus: 1` in compose), which NIO's `System.coreCount` reads, and an affinity
/// mask (`taskset`, as `make bench` pins the server), which neither reads. Twice the threads
/// of the one core they share only take turns on it.
public enum Processors {
    public static let available: Int = min(System.coreCount, affinityCount ?? System.coreCount)

    /// The processors the scheduler may run this process on, or nil where unknown.
    static var affinityCount: Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        return affinityCount(status: status)
    }

    /// The bits set in the `Cpus_allowed` mask of a `/proc/<pid>/status` text ("ff,ffffffff").
    static func affinityCount(status: String) -> Int? {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") }) else { return nil }
        var count = 0
        for group in line.dropFirst("Cpus_allowed:".count).split(separator: ",") {
            guard let bits = UInt64(FieldValue.trimmed(group), radix: 16) else { return nil }
            count += bits.nonzeroBitCount
        }
        return count > 0 ? count : nil
    }

    /// Sizes NIO's shared event loops and blocking pool to `available`, unless their environment
    /// variables say otherwise. NIO allows this once, before any of its singletons is used: only
    /// the `serve` command calls it, first thing.
    public static func sizeSharedThreads() {
        let environment = ProcessInfo.processInfo.environment
        if environment["NIO_SINGLETON_GROUP_LOOP_COUNT"] == nil {
            NIOSingletons.groupLoopCountSuggestion = available
        }
        if environment["NIO_SINGLETON_BLOCKING_POOL_THREAD_COUNT"] == nil {
            NIOSingletons.blockingPoolThreadCountSuggestion = available
        }
    }
}
