import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Starts scheduled items and closes ended ones: sleeps until the catalog's next transition
/// (re-armed whenever an item is created, extended, changed or closed), then hands each due
/// item to its engine worker, which applies the transition in order with the item's bids. At
/// start-up everything whose time passed while the process was down is handled at once.
///
/// Transitions are handed over without waiting for them: one worker slow to commit must not
/// hold back the closes of items on the others. An item is handed over once at a time; when its
/// transition ends (applied, or failed and to be tried again) the closer looks again.
final class AuctionCloser: Service, Sendable {
    private let catalog: ItemCatalog
    private let engine: BidEngine
    private let now: @Sendable () -> Date
    private let logger: Logger
    /// The current sleep, and whether a re-arm arrived since the deadline was computed.
    private let sleep = Mutex<(alarm: Alarm?, rearmed: Bool)>((nil, false))
    /// Items whose transition is with their worker.
    private let inFlight = Mutex<Set<UUID>>([])
    /// Set when the engine refuses commands for shutdown: nothing more is handed over, and the
    /// items still due are closed at the next start-up.
    private let engineStopped = Atomic<Bool>(false)
    /// The longest sleep, so a clock change cannot leave the closer asleep for long.
    static let maxSleep: Duration = .seconds(60)
    /// The pause before a failed transition (a full queue, a failed commit) is tried again.
    static let retryDelay: Duration = .milliseconds(100)

    init(catalog: ItemCatalog, engine: BidEngine, now: @escaping @Sendable () -> Date, logger: Logger) {
        self.catalog = catalog
        self.engine = engine
        self.now = now
        self.logger = logger
    }

    /// Wakes the closer to recompute its next deadline.
    func rearm() {
        let alarm = sleep.withLock { state -> Alarm? in
            state.rearmed = true
            return state.alarm
        }
        alarm?.switchOff()
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                while !Task.isCancelled {
                    self.sleep.withLock { $0.rearmed = false }
                    let now = self.now()
                    for id in self.handOver(at: now) {
                        group.addTask { await self.transition(id, at: now) }
                    }
                    // Items due now are with their workers; each re-arms the closer when done.
                    let next = self.engineStopped.load(ordering: .relaxed) ? nil : self.catalog.nextTransition(after: now)
                    let delay = next.map { max(0, $0.timeIntervalSince(self.now())) } ?? Self.maxSleep.seconds
                    let alarm = Alarm(after: min(Duration.milliseconds(Int64(delay * 1000) + 5), Self.maxSleep))
                    // A re-arm between reading the catalog and here must not be lost.
                    let rearmed = self.sleep.withLock { state -> Bool in
                        state.alarm = alarm
                        return state.rearmed
                    }
                    if rearmed { alarm.switchOff() }
                    _ = await alarm.wait()
                }
            }
        }
    }

    /// The items due at `now` that are not with their workers already, now marked as they are.
    private func handOver(at now: Date) -> [UUID] {
        guard !engineStopped.load(ordering: .relaxed) else { return [] }
        let due = catalog.due(at: now)
        guard !due.isEmpty else { return [] }
        return inFlight.withLock { inFlight in due.filter { inFlight.insert($0).inserted } }
    }

    private func transition(_ id: UUID, at now: Date) async {
        do {
            _ = try await engine.submit(id, .transition(now: now))
        } catch StorageError.shuttingDown {
            engineStopped.store(true, ordering: .relaxed)
        } catch {
            logger.warning("auction transition failed", metadata: ["item": "\(id)", "error": "\(error)"])
            try? await Task.sleep(for: Self.retryDelay)
        }
        _ = inFlight.withLock { $0.remove(id) }
        rearm()
    }

    /// Hands every due item to the engine and waits until each transition has ended: for tests
    /// that move the clock, which the closer's own sleep does not follow.
    func closeDue() async {
        let now = now()
        let due = catalog.due(at: now)
        let mine = handOver(at: now)
        await withDiscardingTaskGroup { group in
            for id in mine { group.addTask { await self.transition(id, at: now) } }
        }
        // Those the closer's own loop had handed over already.
        while inFlight.withLock({ inFlight in due.contains(where: inFlight.contains) }) {
            try? await Task.sleep(for: .milliseconds(1))
        }
    }
}
