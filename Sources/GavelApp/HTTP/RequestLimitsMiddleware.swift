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
            return try await withThrowingTaskGroup(of: Response?.self) { group in
                group.addTask { try await responder.value(request, context) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let response = first else {
                    throw Problem.unavailable("The request took longer than the server allows.", code: "request.timeout")
                }
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
