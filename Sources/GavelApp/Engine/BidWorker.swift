import DequeModule
import Foundation
import GavelCore
import Logging
import NIOCore
import Synchronization

/// One worker of the bid engine: a bounded queue of commands for the items it owns, drained in
/// batches that each commit in one transaction (group commit). Commands for one item are
/// applied strictly in arrival order; their callers hear the verdict only after the commit.
final class BidWorker: Sendable {
    struct Pending: Sendable {
        let itemID: UUID
        let command: ItemCommand
        /// Where the caller waits: answered by the worker after the commit, or 503
        /// `request.timeout` when the request's deadline rings before the command's transaction
        /// starts; such a command is dropped, never applied.
        let verdict: FirstAnswer<CommandResult>
        /// The caller's deadline (`RequestDeadline.due`), watched by the worker's sweep.
        var due: NIODeadline? = nil
    }

    private struct Queue {
        var pending: Deque<Pending> = []
        /// The batch being applied: its commands can still be answered by their deadline until
        /// its transaction claims them.
        var applying: [Pending] = []
        var accepting = true
        /// Set when the engine's turn to stop comes: the worker exits once its queue is empty.
        var finishing = false
        var wakeup: CheckedContinuation<Void, Never>?
        /// Whether a sweep for deadlines is scheduled.
        var sweeping = false
    }

    /// How often commands with a deadline are checked while the worker holds any: as often as
    /// `AlarmClock` rings alarms, so a 503 comes as promptly.
    static let sweepInterval: Duration = .milliseconds(25)

    let index: Int
    let capacity: Int
    let maxBatch: Int
    private let queue = Mutex(Queue())
    let applier: BatchApplier

    init(index: Int, capacity: Int, maxBatch: Int = 512, applier: BatchApplier) {
        self.index = index
        self.capacity = capacity
        self.maxBatch = maxBatch
        self.applier = applier
    }

    /// Queues a command and waits for its verdict, or until the caller's request deadline
    /// (`RequestDeadline.current`) rings: 503 `request.timeout`. A full queue is
    /// `StorageError.overloaded`; a worker that stopped accepting (shutdown) is
    /// `StorageError.shuttingDown`.
    func submit(_ itemID: UUID, _ command: ItemCommand) async throws -> CommandResult {
        let deadline = RequestDeadline.current
        let due = RequestDeadline.due
        return try await withCheckedThrowingContinuation { continuation in
            let verdict = FirstAnswer(continuation)
            var sweep = false
            let (refusal, wakeup) = queue.withLock { queue -> ((any Error)?, CheckedContinuation<Void, Never>?) in
                guard queue.accepting else { return (StorageError.shuttingDown, nil) }
                // The closer's transitions are never refused for a full queue: bids refilling it
                // could otherwise keep an item open long past its end. There is at most one in
                // flight per item, so they cannot grow the queue without bound.
                guard queue.pending.count < capacity || command.isTransition else { return (StorageError.overloaded, nil) }
                queue.pending.append(Pending(itemID: itemID, command: command, verdict: verdict, due: due))
                if due != nil && !queue.sweeping {
                    queue.sweeping = true
                    sweep = true
                }
                // Counted under the lock, so the worker's decrement can never come first.
                applier.metrics.queueChanged(by: 1)
                defer { queue.wakeup = nil }
                return (nil, queue.wakeup)
            }
            if let refusal { return verdict.resume(with: .failure(refusal)) }
            verdict.answer(deadline)
            if sweep { scheduleSweep() }
            wakeup?.resume()
        }
    }

    private func scheduleSweep() {
        Timers.schedule(after: Self.sweepInterval) { [self] in self.sweep() }
    }

    /// Answers 503 `request.timeout` to every command held past its deadline and not yet
    /// claimed by a transaction; such a command is dropped when its batch is decided or
    /// committed. Runs again while commands with deadlines remain.
    private func sweep() {
        let now = NIODeadline.now()
        var expired: [FirstAnswer<CommandResult>] = []
        let again = queue.withLock { queue -> Bool in
            var waiting = false
            for pending in queue.pending where pending.due != nil { check(pending) }
            for pending in queue.applying where pending.due != nil { check(pending) }
            func check(_ pending: Pending) {
                if let due = pending.due, due <= now { expired.append(pending.verdict) } else { waiting = true }
            }
            queue.sweeping = waiting
            return waiting
        }
        for verdict in expired { verdict.expire() }
        if again { scheduleSweep() }
    }

    /// New commands are refused from now on; what is queued is still applied.
    func stopAccepting() {
        queue.withLock { $0.accepting = false }
    }

    /// Refuses new commands and lets `run()` return once the queue is empty.
    func finish() {
        let wakeup = queue.withLock { queue -> CheckedContinuation<Void, Never>? in
            queue.accepting = false
            queue.finishing = true
            defer { queue.wakeup = nil }
            return queue.wakeup
        }
        wakeup?.resume()
    }

    /// Drains batches until `finish()` was called and the queue is empty.
    func run() async {
        while true {
            let batch = queue.withLock { queue -> [Pending]? in
                queue.applying = []
                if queue.pending.isEmpty { return queue.finishing ? nil : [] }
                let count = min(maxBatch, queue.pending.count)
                defer { queue.pending.removeFirst(count) }
                queue.applying = Array(queue.pending.prefix(count))
                return queue.applying
            }
            guard let batch else { return }
            if !batch.isEmpty { applier.metrics.queueChanged(by: -batch.count) }
            if batch.isEmpty {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let ready = queue.withLock { queue -> Bool in
                        if !queue.pending.isEmpty || queue.finishing { return true }
                        queue.wakeup = continuation
                        return false
                    }
                    if ready { continuation.resume() }
                }
                continue
            }
            // Commands whose callers were already answered by their deadline are dropped; the
            // rest are claimed when their transaction starts (`BatchApplier`).
            let live = batch.filter { !$0.verdict.isAnswered }
            if !live.isEmpty { await applier.apply(live) }
        }
    }
}
