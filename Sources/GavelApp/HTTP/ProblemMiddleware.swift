import GavelCore
import HTTPTypes
import Hummingbird
import Logging

/// Turns every error into a problem response. Known errors map to precise statuses; anything
/// unexpected is logged with detail and answered with a generic 500 that leaks nothing.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return problem(for: error, request: request, context: context).response()
        }
    }

    func problem(for error: any Error, request: Request, context: Context) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let failure as ValidationFailure:
            return .validation(failure)
        case StorageError.overloaded:
            return .unavailable("The database is saturated; retry shortly.", code: "service.overloaded")
        case StorageError.shuttingDown:
            return .unavailable("The service is shutting down.", code: "service.shutting_down", retryAfter: 5)
        case let error as HTTPError:
            return problem(for: error, request: request, context: context)
        case is CancellationError:
            return .unavailable("The request was cancelled.", code: "request.cancelled")
        default:
            context.logger.error("unexpected error", metadata: ["error": "\(String(reflecting: error))"])
            return Problem(.internalServerError, code: "internal", detail: "An unexpected error occurred.")
        }
    }

    private func problem(for error: HTTPError, request: Request, context: Context) -> Problem {
        switch error.status {
        case .notFound where context.endpointPath == "NotFound":
            if let allowed = routes.allowedMethods(for: request.uri.path), !allowed.contains(request.method) {
                let allow = allowed.map(\.rawValue).sorted().joined(separator: ", ")
                return Problem(.methodNotAllowed, code: "request.method_not_allowed", detail: "Allowed: \(allow).")
                    .with(.allow, allow)
            }
            return .notFound("route", code: "route.not_found")
        case .contentTooLarge:
            return Problem(.contentTooLarge, code: "request.body_too_large", detail: "The request body exceeds the size limit.")
        default:
            return Problem(error.status, code: "request.error", detail: error.body)
        }
    }
}
