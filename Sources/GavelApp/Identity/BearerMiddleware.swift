import Hummingbird

/// Verifies an `Authorization: Bearer` token when one is sent and records the caller in the
/// context. A request without the header passes through unauthenticated; routes that need a
/// user are typed on `AuthenticatedContext`, which refuses them. A bad token is always 401.
struct BearerMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let verifier: TokenVerifier

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            return try await next(request, context)
        }
        guard header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            throw Problem.unauthorized("Authorization must use the Bearer scheme.")
        }
        var context = context
        do {
            context.user = try await verifier.verify(String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces))
        } catch {
            context.logger.debug("bearer token refused", metadata: ["reason": "\(error)"])
            throw Problem.unauthorized("The access token is invalid or expired.")
        }
        return try await next(request, context)
    }
}
