import Synchronization

/// Wakes live event streams when the outbox grows. Writers call `published(upTo:)` right after
/// their transaction commits; readers then fetch the new rows from the outbox itself, so a
/// stream never shows an event that was not durably written.
final class EventFeed: Sendable {
    private struct State {
        var lastSeq: Int64
        var closed = false
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextID: UInt64 = 0
    }

    private let state: Mutex<State>

    init(lastSeq: Int64) {
        state = Mutex(State(lastSeq: lastSeq))
    }

    var lastSeq: Int64 { state.withLock { $0.lastSeq } }
    var isClosed: Bool { state.withLock { $0.closed } }

    func published(upTo seq: Int64) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.lastSeq = max(state.lastSeq, seq)
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Ends every wait, now and later: the process is shutting down.
    func close() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.closed = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once an event after `seq` exists, the feed closes, `timeout` passes or the task is
    /// cancelled; the caller re-reads the outbox in every case.
    func wait(after seq: Int64, timeout: Duration) async {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        let timer = Timers.schedule(after: timeout) { self.wake(id) }
        defer { timer.cancel() }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state -> Bool in
                    if state.lastSeq > seq || state.closed { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            wake(id)
        }
    }

    private func wake(_ id: UInt64) {
        let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
        waiter?.resume()
    }
}
