import Foundation
import Metrics
import Synchronization

/// Bounds how many database operations run at once (`database.max_concurrency`, the older
/// design's SEM_MAX). A slot is held for the whole operation, rows read included, and a caller
/// that cannot get one within `acquire_timeout` fails with `StorageError.overloaded`.
final class DatabaseGate: Sendable {
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
    private let state = Mutex(State())
    private let metrics: StorageMetrics

    init(limit: Int, acquireTimeout: Duration, metrics: StorageMetrics) {
        self.limit = limit
        self.acquireTimeout = acquireTimeout
        self.metrics = metrics
    }

    var inUse: Int { state.withLock { $0.inUse } }

    /// Runs `body` while holding a slot; `operation` labels the duration metric.
    func withSlot<T>(_ operation: String, _ body: () async throws -> T) async throws -> T {
        let waitStart = ContinuousClock.now
        try await acquire()
        metrics.semaphoreWait.recordInterval(since: waitStart)
        defer { release() }
        let start = ContinuousClock.now
        defer { metrics.operationDuration(operation).recordInterval(since: start) }
        return try await body()
    }

    private func acquire() async throws {
        let id: UInt64? = state.withLock { state in
            if state.inUse < limit {
                state.inUse += 1
                metrics.semaphoreInUse.record(state.inUse)
                return nil
            }
            state.nextID += 1
            return state.nextID
        }
        guard let id else { return }
        let timeout = Task { [acquireTimeout] in
            try await Task.sleep(for: acquireTimeout)
            self.abandon(id, with: StorageError.overloaded)
        }
        defer { timeout.cancel() }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let granted = state.withLock { state in
                    if state.inUse < limit {
                        state.inUse += 1
                        metrics.semaphoreInUse.record(state.inUse)
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
                metrics.semaphoreInUse.record(state.inUse)
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.continuation.resume()
    }
}
