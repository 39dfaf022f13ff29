import ServiceLifecycle
import Synchronization

/// Whether the process is draining for shutdown; `/ready` reports it and work stops on it.
public final class LifecycleState: Sendable {
    private let draining = Atomic<Bool>(false)

    public init() {}

    public var isDraining: Bool { draining.load(ordering: .acquiring) }

    func beginDraining() { draining.store(true, ordering: .releasing) }
}

/// Waits for graceful shutdown, then marks the process draining, makes the bid engine refuse
/// new bids (503) and ends live streams, so the HTTP server can finish its in-flight requests
/// (queued bids still commit) and stop.
struct DrainService: Service {
    let lifecycle: LifecycleState
    let feed: EventFeed
    let engine: BidEngine

    func run() async throws {
        try? await gracefulShutdown()
        lifecycle.beginDraining()
        engine.stopAccepting()
        feed.close()
    }
}
