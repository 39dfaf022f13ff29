import Synchronization

/// The attempts being judged now, per counter key. They live only as long as this process, as
/// the requests judging them do; a deployment sharing the database between processes would
/// have to count them there instead.
final class AttemptsInFlight: Sendable {
    private struct State {
        var counts: [String: Int] = [:]
        var attempts = 0
        /// Counts ended attempts, so a waiter that read it before an end does not miss it.
        var generation: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, any Error>] = [:]
        var nextWaiter: UInt64 = 0
    }

    private let state = Mutex(State())

    private static func name(_ key: IdentityRepository.CounterKey) -> String { "\(key.scope.rawValue) \(key.key)" }

    /// When some key's `failures` plus its attempts in flight reach its limit, the generation
    /// to wait from (read with the counts, so no end between them is missed); nil otherwise.
    func full(_ keys: [IdentityRepository.CounterKey], failures: [Int]) -> UInt64? {
        state.withLock { state in
            let full = zip(keys, failures).contains { key, failures in failures + (state.counts[Self.name(key)] ?? 0) >= key.limit }
            return full ? state.generation : nil
        }
    }

    func add(_ keys: [IdentityRepository.CounterKey]) {
        state.withLock { state in
            for key in keys { state.counts[Self.name(key), default: 0] += 1 }
            state.attempts += 1
        }
    }

    func remove(_ keys: [IdentityRepository.CounterKey]) {
        let waiters = state.withLock { state in
            for key in keys {
                let name = Self.name(key)
                let left = (state.counts[name] ?? 1) - 1
                state.counts[name] = left > 0 ? left : nil
            }
            state.attempts -= 1
            state.generation &+= 1
            defer { state.waiters = [:] }
            return state.waiters.values
        }
        for waiter in waiters { waiter.resume() }
    }

    func ended(since generation: UInt64) async throws {
        let id = state.withLock { state in
            defer { state.nextWaiter &+= 1 }
            return state.nextWaiter
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let now = state.withLock { state -> (any Error)?? in
                    if Task.isCancelled { return .some(CancellationError()) }
                    if state.generation != generation { return .some(nil) }
                    state.waiters[id] = continuation
                    return nil
                }
                if let now {
                    if let error = now { continuation.resume(throwing: error) } else { continuation.resume() }
                }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume(throwing: CancellationError())
        }
    }

    /// Attempts in flight, for tests.
    var total: Int { state.withLock { $0.attempts } }
}
