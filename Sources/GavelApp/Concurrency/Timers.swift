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

/// A deadline a task can wait on: it rings when its timer fires, or is switched off when the
/// work finished first or the waiter was cancelled.
final class Alarm: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Bool, Never>?
        var rang: Bool?
    }

    private let state = Mutex(State())
    private let timer = Mutex<Scheduled<Void>?>(nil)

    init(after delay: Duration) {
        let scheduled = Timers.schedule(after: delay) { [weak self] in self?.finish(rang: true) }
        timer.withLock { $0 = scheduled }
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

    private func finish(rang: Bool) {
        let continuation = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            guard state.rang == nil else { return nil }
            state.rang = rang
            defer { state.continuation = nil }
            return state.continuation
        }
        if !rang { timer.withLock { $0?.cancel() } }
        continuation?.resume(returning: rang)
    }
}
