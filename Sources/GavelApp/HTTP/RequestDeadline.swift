import NIOCore
import Synchronization

/// The deadline of the write request the current task serves, bound by
/// `RequestLimitsMiddleware`, for the waits that cancellation cannot reach: `Store.write` and a
/// command queued for an item's worker answer it themselves (see `FirstAnswer`).
enum RequestDeadline {
    @TaskLocal static var current: Alarm?

    /// The deadline of a request on a self-timed route (bids, a seller's changes): only the
    /// moment, with no timer of its own. The bid engine's workers answer the commands queued
    /// past it (`BidWorker`), which spares every bid an alarm to set and switch off.
    @TaskLocal static var due: NIODeadline?

    /// 503 `request.timeout` once the current deadline has passed: for a self-timed route after
    /// a step that does not answer it itself, such as reading the body.
    static func check() throws {
        if current?.hasRung == true || due.map({ $0 <= .now() }) == true { throw Problem.requestTimeout }
    }

    /// An alarm for the current deadline, for a wait that answers only alarms (`Store.write`).
    static func alarm() -> Alarm? {
        if let current { return current }
        guard let due else { return nil }
        let left = due - .now()
        return Alarm(after: .nanoseconds(max(0, left.nanoseconds)))
    }
}

/// Where a request waits for work queued elsewhere (a write for the database writer, a command
/// for an item's worker), answered by that work or by the request's deadline, whichever comes
/// first. The work claims the waiter before it starts; once claimed, the deadline no longer
/// answers, and once the deadline has answered, the claim fails and the work must not run. So
/// 503 `request.timeout` always means that nothing was recorded.
final class FirstAnswer<Value: Sendable>: Sendable {
    private enum State {
        case waiting(CheckedContinuation<Value, any Error>)
        case claimed(CheckedContinuation<Value, any Error>)
        case answered
    }

    private let state: Mutex<State>

    init(_ continuation: CheckedContinuation<Value, any Error>) {
        state = Mutex(.waiting(continuation))
    }

    /// True when the work may run: the deadline has not answered, and now will not. Claiming
    /// again (a retried attempt) is true as well.
    func claim() -> Bool {
        state.withLock { state in
            switch state {
            case .waiting(let continuation):
                state = .claimed(continuation)
                return true
            case .claimed: return true
            case .answered: return false
            }
        }
    }

    /// Whether an answer was given (by the work or the deadline).
    var isAnswered: Bool {
        state.withLock { if case .answered = $0 { true } else { false } }
    }

    func resume(with result: Result<Value, any Error>) {
        let continuation = state.withLock { state -> CheckedContinuation<Value, any Error>? in
            switch state {
            case .waiting(let continuation), .claimed(let continuation):
                state = .answered
                return continuation
            case .answered:
                return nil
            }
        }
        continuation?.resume(with: result)
    }

    /// Answers 503 `request.timeout` unless the work was claimed or answered already.
    func expire() {
        let continuation = state.withLock { state -> CheckedContinuation<Value, any Error>? in
            guard case .waiting(let continuation) = state else { return nil }
            state = .answered
            return continuation
        }
        continuation?.resume(throwing: Problem.requestTimeout)
    }

    /// Answers 503 `request.timeout` if `deadline` rings before the work was claimed.
    func answer(_ deadline: Alarm?) {
        deadline?.onRing { [self] in expire() }
    }
}
