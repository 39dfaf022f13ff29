import ServiceLifecycle
import Synchronization

/// Whether the process is draining for shutdown; `/ready` reports it and work stops on it.
public final class LifecycleState: Sendable {
    private let draining = Atomic<Bool>(false)

    public init() {}

    public var isDraining: Bool { draining.load(ordering: .acquiring) }

    func beginDraining() { draining.store(true, ordering: .releasing) }
}

/// Waits for graceful shutdown, then marks the process draining and ends live streams so the
/// HTTP server can finish its in-flight requests and stop.
struct DrainService: Service {
    let lifecycle: LifecycleState
    let feed: EventFeed

    func run() async throws {
        try? await gracefulShutdown()
        lifecycle.beginDraining()
        feed.close()
    }
}
