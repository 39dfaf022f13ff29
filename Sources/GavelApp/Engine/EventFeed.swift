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
        /// Streams waiting for events: of one subject, or of any (`subject` nil).
        var waiters: [UInt64: (subject: UUID?, continuation: CheckedContinuation<Bool, Never>)] = [:]
        var nextID: UInt64 = 0

        /// Whether an event after `seq` exists (about `subject`, when given).
        func hasEvent(after seq: Int64, about subject: UUID?) -> Bool {
            guard let subject else { return lastSeq > seq }
            return (subjects[subject]?.last ?? 0) > seq
        }
    }

    private let state: Mutex<State>

    init(lastSeq: Int64, subjects: [UUID: [Int64]] = [:]) {
        state = Mutex(State(lastSeq: lastSeq, subjects: subjects))
    }

    var lastSeq: Int64 { state.withLock { $0.lastSeq } }
    var isClosed: Bool { state.withLock { $0.closed } }
    /// Streams waiting now, for tests.
    var waiting: Int { state.withLock { $0.waiters.count } }

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
    /// Wakes the streams of every event and those of the subjects among them: a stream of one
    /// item sleeps through commits about others (it read the database after every commit, which
    /// with hundreds of viewers queued hundreds of reads ahead of each bid batch).
    func published(_ subjects: [(UUID, Int64)], upTo seq: Int64) {
        let waiters = state.withLock { state -> [CheckedContinuation<Bool, Never>] in
            for (subject, event) in subjects { state.subjects[subject, default: []].append(event) }
            state.lastSeq = max(state.lastSeq, seq)
            guard !state.waiters.isEmpty else { return [] }
            let touched = Set(subjects.lazy.map(\.0))
            var woken: [CheckedContinuation<Bool, Never>] = []
            for (id, waiter) in state.waiters where waiter.subject.map(touched.contains) ?? true {
                woken.append(waiter.continuation)
                state.waiters[id] = nil
            }
            return woken
        }
        for waiter in waiters { waiter.resume(returning: true) }
    }

    /// Ends every wait, now and later: the process is shutting down.
    func close() {
        let waiters = state.withLock { state -> [CheckedContinuation<Bool, Never>] in
            state.closed = true
            defer { state.waiters = [:] }
            return state.waiters.values.map(\.continuation)
        }
        for waiter in waiters { waiter.resume(returning: true) }
    }

    /// Returns once an event after `seq` exists (about `subject`, when given) or the feed closes:
    /// true; when `timeout` passes or the task is cancelled: false. The caller re-reads the outbox
    /// in every case.
    @discardableResult
    func wait(after seq: Int64, about subject: UUID? = nil, timeout: Duration) async -> Bool {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        let timer = Timers.schedule(after: timeout) { self.wake(id) }
        defer { timer.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let ready = state.withLock { state -> Bool in
                    if state.hasEvent(after: seq, about: subject) || state.closed { return true }
                    state.waiters[id] = (subject, continuation)
                    return false
                }
                if ready { continuation.resume(returning: true) }
            }
        } onCancel: {
            wake(id)
        }
    }

    private func wake(_ id: UInt64) {
        let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
        waiter?.continuation.resume(returning: false)
    }
}
