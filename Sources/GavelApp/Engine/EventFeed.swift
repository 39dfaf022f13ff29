import Foundation
import Synchronization

/// Wakes live event streams when the outbox grows, and knows which events are about which item
/// (the outbox has no index for that: see migration v5). Writers call `published` right
/// after their transaction commits; readers then fetch the new rows from the outbox itself, so
/// a stream never shows an event that was not durably written.
final class EventFeed: Sendable {
    private struct State {
        var lastSeq: Int64
        /// Each item's events, oldest first (see `Outbox.isIndexed`).
        var subjects: [UUID: [Int64]]
        var closed = false
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextID: UInt64 = 0
    }

    private let state: Mutex<State>

    init(lastSeq: Int64, subjects: [UUID: [Int64]] = [:]) {
        state = Mutex(State(lastSeq: lastSeq, subjects: subjects))
    }

    var lastSeq: Int64 { state.withLock { $0.lastSeq } }
    var isClosed: Bool { state.withLock { $0.closed } }

    /// Up to `limit` of `subject`'s events after `seq`, oldest first.
    func seqs(of subject: UUID, after seq: Int64, limit: Int) -> [Int64] {
        state.withLock { state in
            guard let seqs = state.subjects[subject] else { return [] }
            // The first event after `seq`: binary search, since a live page asks after every commit.
            var low = 0, high = seqs.count
            while low < high {
                let middle = (low + high) / 2
                if seqs[middle] <= seq { low = middle + 1 } else { high = middle }
            }
            return Array(seqs[low..<min(seqs.count, low + limit)])
        }
    }

    /// Events up to `seq` are committed; `subjects` are those of them in the item index, in order.
    func published(_ subjects: [(UUID, Int64)], upTo seq: Int64) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            for (subject, event) in subjects { state.subjects[subject, default: []].append(event) }
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
