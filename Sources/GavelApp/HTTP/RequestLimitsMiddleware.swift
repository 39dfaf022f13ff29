import Hummingbird

/// Refuses bodies declared larger than `server.max_body_bytes` before reading them (413), and
/// bounds the time to produce a response (`server.request_timeout`, 503) for requests that
/// read a body or change state. Safe methods are answered from memory or wait only for a
/// database slot, which `database.acquire_timeout` already bounds, so they skip the timer and
/// its two child tasks. Streaming bodies (SSE) start within the limit and then run on; reading
/// a body enforces the size again (`Request.jsonBody`) for clients that send no length.
struct RequestLimitsMiddleware<Context: RequestContext>: RouterMiddleware {
    let maxBodyBytes: Int
    let timeout: Duration

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBodyBytes {
            throw HTTPError(.contentTooLarge)
        }
        if request.method == .get || request.method == .head {
            return try await next(request, context)
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
                    return try await responder.value(request, context)
                }
                defer { group.cancelAll() }
                if await alarm.wait() {
                    throw Problem.unavailable("The request took longer than the server allows.", code: "request.timeout")
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
