import Hummingbird
import Logging

/// Records the HTTP metrics and writes one access-log line per request. Sits outside the
/// problem middleware, so it sees the final status of every response.
struct ObservabilityMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let metrics: HTTPMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        metrics.started()
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            // The problem middleware answers every error; this only guards the counters.
            record(request, context, status: 500, start: start)
            throw error
        }
        record(request, context, status: response.status.code, start: start)
        return response
    }

    private func record(_ request: Request, _ context: Context, status: Int, start: ContinuousClock.Instant) {
        let route = Self.routeLabel(context.endpointPath)
        metrics.finished(method: request.method.rawValue, route: route, status: status, since: start)
        guard context.logger.logLevel <= .info else { return }
        let elapsed = ContinuousClock.now - start
        var metadata: Logger.Metadata = [
            "method": .string(request.method.rawValue), "route": .string(route), "status": .stringConvertible(status),
            "duration_ms": .string(String(format: "%.3f", elapsed.seconds * 1000)),
        ]
        if let user = context.caller.userID { metadata["user_id"] = .string(user.text) }
        context.logger.info("request", metadata: metadata)
    }

    /// The route template, never the raw path (bounded label cardinality).
    static func routeLabel(_ endpointPath: String?) -> String {
        guard let path = endpointPath, path != "NotFound" else { return "unmatched" }
        return path
    }
}
