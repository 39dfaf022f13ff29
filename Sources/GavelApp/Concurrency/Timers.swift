import DequeModule
import NIOCore
import NIOPosix
import Synchronization

/// One-shot timers for per-request deadlines. A `Task.sleep` that is cancelled keeps its timer
/// (about 200 bytes) until the original deadline, so thousands of cancelled sleeps a second
/// pile up memory; a cancelled NIO scheduled task is released at once.
enum Timers {
    @discardableResult
    static func schedule(after delay: Duration, _ action: @escaping @Sendable () -> Void) -> Scheduled<Void> {
        let (seconds, attoseconds) = delay.components
        let nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        return MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: .nanoseconds(nanoseconds)) { action() }
    }
}

/// A deadline a task can wait on: it rings when its time has come, or is switched off when the
/// work finished first or the waiter was cancelled. Every write request has one, so alarms do
/// not each schedule and cancel a timer on an event loop (two cross-thread wake-ups, a twentieth
/// of a bid's CPU): `AlarmClock` rings them all from one timer.
final class Alarm: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Bool, Never>?
        /// Run when the alarm rings, never when it is switched off.
        var actions: [@Sendable () -> Void] = []
        var rang: Bool?
    }

    private let state = Mutex(State())
    private let clock: AlarmClock
    private let id = Mutex<UInt64>(0)

    init(after delay: Duration, clock: AlarmClock = .shared) {
        self.clock = clock
        let id = clock.add(self, after: delay)
        self.id.withLock { $0 = id }
    }

    /// True when the alarm rang; false when it was switched off or the waiter cancelled.
    func wait() async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let done = state.withLock { state -> Bool? in
                    if let rang = state.rang { return rang }
                    state.continuation = continuation
                    return nil
                }
                if let done { continuation.resume(returning: done) }
            }
        } onCancel: {
            finish(rang: false)
        }
    }

    func switchOff() {
        finish(rang: false)
    }

    /// Whether the alarm rang (it may still ring later).
    var hasRung: Bool { state.withLock { $0.rang == true } }

    /// Runs `action` when the alarm rings, at once if it already has; never once it was switched
    /// off. For work that answers its own deadline without a task waiting on the alarm.
    func onRing(_ action: @escaping @Sendable () -> Void) {
        let now = state.withLock { state -> Bool? in
            if let rang = state.rang { return rang }
            state.actions.append(action)
            return nil
        }
        if now == true { action() }
    }

    fileprivate func ring() {
        finish(rang: true)
    }

    private func finish(rang: Bool) {
        let taken = state.withLock { state -> (CheckedContinuation<Bool, Never>?, [@Sendable () -> Void])? in
            guard state.rang == nil else { return nil }
            state.rang = rang
            defer { state.continuation = nil; state.actions = [] }
            return (state.continuation, state.actions)
        }
        guard let (continuation, actions) = taken else { return }
        if !rang { clock.forget(id.withLock { $0 }) }
        if rang { for action in actions { action() } }
        continuation?.resume(returning: rang)
    }
}

/// Rings alarms from a single timer on an event loop, armed for the earliest pending deadline
/// and rounded up by `resolution`, so alarms due close together ring on one firing. An alarm
/// switched off is forgotten at once; its place in the deadline queue (16 bytes) goes when its
/// deadline passes.
final class AlarmClock: Sendable {
    static let shared = AlarmClock(resolution: .milliseconds(25))

    private struct State {
        /// Deadlines in order. One server has one request timeout, so they arrive in order.
        var queue: Deque<(deadline: NIODeadline, id: UInt64)> = []
        var live: [UInt64: Alarm] = [:]
        var nextID: UInt64 = 0
        /// When the earliest scheduled firing happens.
        var armedAt: NIODeadline?
    }

    private let state = Mutex(State())
    let resolution: TimeAmount

    init(resolution: TimeAmount) {
        self.resolution = resolution
    }

    fileprivate func add(_ alarm: Alarm, after delay: Duration) -> UInt64 {
        let (seconds, attoseconds) = delay.components
        let deadline = NIODeadline.now() + .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        let (id, arm) = state.withLock { state -> (UInt64, NIODeadline?) in
            state.nextID += 1
            state.live[state.nextID] = alarm
            var index = state.queue.count
            while index > 0 && state.queue[index - 1].deadline > deadline { index -= 1 }
            state.queue.insert((deadline, state.nextID), at: index)
            let firing = deadline + resolution
            guard state.armedAt.map({ firing < $0 }) ?? true else { return (state.nextID, nil) }
            state.armedAt = firing
            return (state.nextID, firing)
        }
        if let arm { schedule(at: arm) }
        return id
    }

    fileprivate func forget(_ id: UInt64) {
        _ = state.withLock { $0.live.removeValue(forKey: id) }
    }

    /// How many alarms have neither rung nor been switched off.
    var pending: Int { state.withLock { $0.live.count } }

    private func schedule(at deadline: NIODeadline) {
        MultiThreadedEventLoopGroup.singleton.any().scheduleTask(deadline: deadline) { [self] in fire() }
    }

    private func fire() {
        let now = NIODeadline.now()
        let (due, arm) = state.withLock { state -> ([Alarm], NIODeadline?) in
            var due: [Alarm] = []
            while let first = state.queue.first, first.deadline <= now {
                state.queue.removeFirst()
                if let alarm = state.live.removeValue(forKey: first.id) { due.append(alarm) }
            }
            // A burst leaves a large buffer behind; give it back once the burst is over.
            if state.queue.isEmpty && state.live.isEmpty { state.queue = [] }
            if let armedAt = state.armedAt, armedAt <= now { state.armedAt = nil }
            guard let next = state.queue.first, state.armedAt == nil else { return (due, nil) }
            let firing = max(next.deadline, now) + resolution
            state.armedAt = firing
            return (due, firing)
        }
        for alarm in due { alarm.ring() }
        if let arm { schedule(at: arm) }
    }
}
