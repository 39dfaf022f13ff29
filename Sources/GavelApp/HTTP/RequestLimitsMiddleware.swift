import HTTPTypes
import Hummingbird
import NIOCore

/// Refuses bodies declared larger than `server.max_body_bytes` before reading them (413), and
/// bounds the time to produce a response (`server.request_timeout`, 503) for requests that
/// read a body or change state. Safe methods are answered from memory or wait only for a
/// database slot, which `database.acquire_timeout` already bounds, so they skip the timer.
/// Streaming bodies (SSE) start within the limit and then run on; reading a body enforces the
/// size again (`Request.jsonBody`) for clients that send no length.
///
/// A write races its handler in a child task against an alarm. The group still waits for that
/// child, so the 503 is only as prompt as the handler's waits are to end: cancellation does
/// not reach a write queued for the database writer or a command queued for an item's worker.
/// So the alarm is also the request's `RequestDeadline.current`, which those waits answer.
/// Routes listed as `selfTimed` (bids and a seller's changes, whose waits all answer it) get no
/// child task, saving a task and a scheduling round trip per request, and no alarm either: only
/// the moment (`RequestDeadline.due`), which the bid engine's workers watch for the commands
/// they hold. They check the deadline after reading the body, and a client that stalls its own
/// upload is closed by `server.idle_timeout` instead.
struct RequestLimitsMiddleware<Context: RequestContext>: RouterMiddleware {
    let maxBodyBytes: Int
    let timeout: Duration
    var selfTimed: [RouteTemplate] = []

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let length = request.headers.value(.contentLength).flatMap(Int.init), length > maxBodyBytes {
            throw HTTPError(.contentTooLarge)
        }
        if request.method == .get || request.method == .head {
            return try await next(request, context)
        }
        if selfTimed.contains(where: { $0.matches(request.method, request.uri.path) }) {
            let (seconds, attoseconds) = timeout.components
            let due = NIODeadline.now() + .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
            return try await RequestDeadline.$due.withValue(due) { try await next(request, context) }
        }
        return try await withoutActuallyEscaping(next) { next in
            // The group finishes before this closure returns, so `next` does not outlive the call.
            let responder = UncheckedSendable(next)
            let alarm = Alarm(after: timeout)
            return try await withThrowingTaskGroup(of: Response.self) { group in
                // One child runs the handler and switches the alarm off when it is done; this
                // task waits on the alarm itself rather than on a second child.
                group.addTask {
                    defer { alarm.switchOff() }
                    return try await RequestDeadline.$current.withValue(alarm) { try await responder.value(request, context) }
                }
                defer { group.cancelAll() }
                if await alarm.wait() {
                    // Past the deadline: what has not started stops (cancellation, or the deadline
                    // answering `Store.write`), and that is a 503. A write already under way is
                    // answered by its commit, so a 503 never hides a recorded change.
                    group.cancelAll()
                    guard let response = try? await group.next() else { throw Problem.requestTimeout }
                    return response
                }
                guard let response = try await group.next() else { throw CancellationError() }
                return response
            }
        }
    }
}

/// Carries a value the compiler cannot prove `Sendable` across a child-task boundary whose
/// lifetime is strictly nested in the caller's.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// A method and a path template as the route table writes them (`/api/v1/items/{id}/bids`).
struct RouteTemplate: Sendable {
    let method: HTTPRequest.Method
    let path: PathTemplate

    init(_ method: HTTPRequest.Method, _ template: String) {
        self.method = method
        path = PathTemplate(template)
    }

    func matches(_ method: HTTPRequest.Method, _ path: String) -> Bool {
        method == self.method && self.path.matches(path)
    }
}
