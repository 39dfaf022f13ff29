import Hummingbird

/// Verifies an `Authorization: Bearer` token when one is sent and records the caller in the
/// context. A request without the header passes through unauthenticated; routes that need a
/// user are typed on `AuthenticatedContext`, which refuses them. A bad token is always 401.
struct BearerMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let verifier: TokenVerifier

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers.value(.authorization) else {
            return try await next(request, context)
        }
        guard let token = Self.token(in: header) else {
            throw Problem.unauthorized("Authorization must use the Bearer scheme.")
        }
        var context = context
        do {
            context.user = try await verifier.verify(token)
        } catch {
            context.logger.debug("bearer token refused", metadata: ["reason": "\(error)"])
            throw Problem.unauthorized("The access token is invalid or expired.")
        }
        return try await next(request, context)
    }
}

extension BearerMiddleware {
    /// The credentials of an `Authorization` value in the Bearer scheme (the scheme name in any
    /// case, RFC 9110 §11.1), without the blanks around them; nil for another scheme or none.
    static func token(in header: String) -> String? {
        guard FieldValue.hasPrefix(header, lowercased: "bearer ") else { return nil }
        let token = FieldValue.trimmed(Substring(header.utf8.dropFirst(7)))
        return token.isEmpty ? nil : String(token)
    }
}
