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
        /// How many queued commands wake the waiting worker (see `waitForCommands`).
        var wanted = 1
        /// Counts the worker's waits, so that a linger's timer ends only the wait it was set for.
        var waits: UInt64 = 0
        /// Set when a linger ran out with nothing queued: the load has gone.
        var idle = false
        /// Whether a sweep for deadlines is scheduled.
        var sweeping = false
    }

    /// How often commands with a deadline are checked while the worker holds any: as often as
    /// `AlarmClock` rings alarms, so a 503 comes as promptly.
    static let sweepInterval: Duration = .milliseconds(25)

    let index: Int
    let capacity: Int
    let maxBatch: Int
    /// See `lingerLimit`.
    let linger: Duration
    private let queue = Mutex(Queue())
    let applier: BatchApplier

    init(index: Int, capacity: Int, maxBatch: Int = 512, linger: Duration = BidWorker.lingerLimit, applier: BatchApplier) {
        self.index = index
        self.capacity = capacity
        self.maxBatch = maxBatch
        self.linger = linger
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
                guard queue.pending.count >= queue.wanted else { return (nil, nil) }
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

    /// Group commit under load: while recent batches held at least `lingerAbove` commands, the
    /// worker waits up to `lingerLimit` for half as many to be queued before it takes the next
    /// batch. Without it, a worker that finds one command queued right after a commit commits it
    /// alone while the callers that commit answered queue up behind it: batches alternate
    /// between one command and all the rest, and each commit's fsync and page writes are paid
    /// for one bid. Under light load commands are taken at once.
    static let lingerAbove = 8
    static let lingerLimit: Duration = .milliseconds(2)

    /// Drains batches until `finish()` was called and the queue is empty.
    func run() async {
        // The recent batch size: the largest batch, shrinking by a quarter with each smaller one,
        // and forgotten when a linger runs out with nothing queued.
        var load = 0
        while true {
            await waitForCommands(load >= Self.lingerAbove ? load / 2 : 1)
            let taken = queue.withLock { queue -> (batch: [Pending], idle: Bool)? in
                queue.applying = []
                defer { queue.idle = false }
                if queue.pending.isEmpty { return queue.finishing ? nil : ([], queue.idle) }
                let count = min(maxBatch, queue.pending.count)
                defer { queue.pending.removeFirst(count) }
                queue.applying = Array(queue.pending.prefix(count))
                return (queue.applying, queue.idle)
            }
            guard let (batch, idle) = taken else { return }
            load = idle ? batch.count : max(batch.count, load - load / 4)
            if batch.isEmpty { continue }
            applier.metrics.queueChanged(by: -batch.count)
            // Commands whose callers were already answered by their deadline are dropped; the
            // rest are claimed when their transaction starts (`BatchApplier`).
            let live = batch.filter { !$0.verdict.isAnswered }
            if !live.isEmpty { await applier.apply(live) }
        }
    }

    /// Returns once `wanted` commands are queued, or the queue is finishing. When more than one
    /// is wanted, after `linger` any queued command will do.
    private func waitForCommands(_ wanted: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let wait = queue.withLock { queue -> UInt64? in
                if queue.pending.count >= wanted || queue.finishing { return nil }
                queue.waits += 1
                queue.wakeup = continuation
                queue.wanted = wanted
                return queue.waits
            }
            guard let wait else { return continuation.resume() }
            guard wanted > 1 else { return }
            Timers.schedule(after: linger) { [self] in
                let wakeup = queue.withLock { queue -> CheckedContinuation<Void, Never>? in
                    guard queue.waits == wait, queue.wakeup != nil else { return nil }
                    queue.wanted = 1
                    guard !queue.pending.isEmpty else {
                        queue.idle = true
                        return nil
                    }
                    defer { queue.wakeup = nil }
                    return queue.wakeup
                }
                wakeup?.resume()
            }
        }
    }
}
