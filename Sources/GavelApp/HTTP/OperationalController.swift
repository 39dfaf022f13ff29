import Hummingbird
import NIOCore

/// `/health`, `/ready` and `/metrics`.
struct OperationalController: Sendable {
    let store: Store
    let lifecycle: LifecycleState
    let metrics: MetricsRegistry
    let processMetrics: ProcessMetrics
    let metricsEnabled: Bool

    func addRoutes(to router: Router<AppRequestContext>, table: RouteTable) {
        router.route(.get, "/health", in: table) { _, _ in
            Response.json(ByteBuffer(string: #"{"status":"ok"}"#))
        }
        router.route(.get, "/ready", in: table, use: ready)
        if metricsEnabled {
            router.route(.get, "/metrics", in: table, use: scrape)
        }
    }

    @Sendable func ready(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard !lifecycle.isDraining else {
            throw Problem.unavailable("The service is shutting down.", code: "service.shutting_down", retryAfter: 5)
        }
        guard await store.isReachable() else {
            throw Problem.unavailable("The database does not answer.", code: "service.database_unavailable", retryAfter: 5)
        }
        return Response.json(ByteBuffer(string: #"{"status":"ready"}"#))
    }

    @Sendable func scrape(_ request: Request, context: AppRequestContext) async throws -> Response {
        processMetrics.update()
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
    }
}
