import Foundation
import Synchronization

/// Observes a gate: slot use, waits and operation durations (metrics).
protocol GateObserver: Sendable {
    func slotsInUse(_ count: Int)
    func waited(since start: ContinuousClock.Instant)
    func operation(_ name: String, since start: ContinuousClock.Instant)
}

/// Bounds how many operations run at once. A slot is held for the whole operation; a caller
/// that cannot get one within `acquireTimeout`, or finds `maxWaiters` callers already
/// waiting, fails with `StorageError.overloaded` (HTTP 503). The database uses one for
/// `database.max_concurrency` (the older design's SEM_MAX), password hashing another.
final class AdmissionGate: Sendable {
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var inUse = 0
        var nextID: UInt64 = 0
        var waiters: [Waiter] = []
    }

    let limit: Int
    let acquireTimeout: Duration
    let maxWaiters: Int
    private let state = Mutex(State())
    private let observer: (any GateObserver)?

    init(limit: Int, acquireTimeout: Duration, maxWaiters: Int = .max, observer: (any GateObserver)? = nil) {
        self.limit = limit
        self.acquireTimeout = acquireTimeout
        self.maxWaiters = maxWaiters
        self.observer = observer
    }

    var inUse: Int { state.withLock { $0.inUse } }
    var waiting: Int { state.withLock { $0.waiters.count } }

    /// Runs `body` while holding a slot; `operation` labels the duration metric.
    func withSlot<T>(_ operation: String, _ body: () async throws -> T) async throws -> T {
        let waitStart = ContinuousClock.now
        try await acquire()
        observer?.waited(since: waitStart)
        defer { release() }
        let start = ContinuousClock.now
        defer { observer?.operation(operation, since: start) }
        return try await body()
    }

    private func acquire() async throws {
        let id: UInt64?? = state.withLock { state in
            if state.inUse < limit {
                state.inUse += 1
                observer?.slotsInUse(state.inUse)
                return .some(nil)
            }
            guard state.waiters.count < maxWaiters else { return nil }
            state.nextID += 1
            return state.nextID
        }
        guard let ticket = id else { throw StorageError.overloaded }
        guard let id = ticket else { return }
        let timeout = Timers.schedule(after: acquireTimeout) { self.abandon(id, with: StorageError.overloaded) }
        defer { timeout.cancel() }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let granted = state.withLock { state in
                    if state.inUse < limit {
                        state.inUse += 1
                        observer?.slotsInUse(state.inUse)
                        return true
                    }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return false
                }
                if granted { continuation.resume() }
            }
        } onCancel: {
            abandon(id, with: CancellationError())
        }
    }

    private func abandon(_ id: UInt64, with error: any Error) {
        let waiter: Waiter? = state.withLock { state in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.continuation.resume(throwing: error)
    }

    private func release() {
        // A waiting caller inherits the slot directly, so the count never dips and lets a
        // newcomer jump the queue.
        let next: Waiter? = state.withLock { state in
            if state.waiters.isEmpty {
                state.inUse -= 1
                observer?.slotsInUse(state.inUse)
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.continuation.resume()
    }
}
