import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Starts scheduled items and closes ended ones: sleeps until the catalog's next transition
/// (re-armed whenever an item is created, extended, changed or closed), then hands each due
/// item to its engine worker, which applies the transition in order with the item's bids. At
/// start-up everything whose time passed while the process was down is handled at once.
final class AuctionCloser: Service, Sendable {
    private let catalog: ItemCatalog
    private let engine: BidEngine
    private let now: @Sendable () -> Date
    private let logger: Logger
    /// The current sleep, and whether a re-arm arrived since the deadline was computed.
    private let sleep = Mutex<(alarm: Alarm?, rearmed: Bool)>((nil, false))
    /// The longest sleep, so a clock change cannot leave the closer asleep for long.
    static let maxSleep: Duration = .seconds(60)

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
            while !Task.isCancelled {
                self.sleep.withLock { $0.rearmed = false }
                await self.closeDue()
                let next = self.catalog.nextTransition()
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

    /// Hands every due item to the engine; items of different workers proceed in parallel.
    func closeDue() async {
        let now = now()
        let due = catalog.due(at: now)
        guard !due.isEmpty else { return }
        await withTaskGroup(of: Void.self) { group in
            for id in due {
                group.addTask {
                    do {
                        _ = try await self.engine.submit(id, .transition(now: now))
                    } catch {
                        self.logger.warning("auction transition failed", metadata: ["item": "\(id)", "error": "\(error)"])
                    }
                }
            }
        }
    }
}
