import GavelCore
import HTTPTypes
import Hummingbird
import NIOCore

/// `/api/v1/identity`: accounts, sessions and two-factor authentication.
struct IdentityController: Sendable {
    let service: IdentityService
    let maxBodyBytes: Int

    static let base = "/api/v1/identity"

    func addRoutes(to router: Router<AppRequestContext>, table: RouteTable) {
        router.route(.post, "\(Self.base)/register", in: table, use: register)
        router.route(.post, "\(Self.base)/login", in: table, use: login)
        router.route(.post, "\(Self.base)/2fa/challenge", in: table, use: challenge)
        router.route(.post, "\(Self.base)/token/refresh", in: table, use: refresh)
        let authenticated = router.group(context: AuthenticatedContext.self)
        authenticated.route(.post, "\(Self.base)/logout", in: table, use: logout)
        authenticated.route(.get, "\(Self.base)/me", in: table, use: me)
        authenticated.route(.post, "\(Self.base)/2fa/enable", in: table, use: enable)
        authenticated.route(.post, "\(Self.base)/2fa/verify", in: table, use: verify)
        authenticated.route(.post, "\(Self.base)/2fa/disable", in: table, use: disable)
        authenticated.route(.post, "\(Self.base)/2fa/recovery-codes", in: table, use: recoveryCodes)
    }

    @Sendable func register(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (body, _) = try await request.decodeStrict(RegisterBody.self, limit: maxBodyBytes)
        let account = try await service.register(
            email: body.email, password: body.password, name: body.name, context: context.writeContext)
        var response = try Self.json(AccountRepresentation(account, includeTwoFactor: false), status: .created)
        response.headers[.location] = "\(Self.base)/me"
        return response
    }

    @Sendable func login(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (body, _) = try await request.decodeStrict(LoginBody.self, limit: maxBodyBytes)
        switch try await service.login(email: body.email, password: body.password, address: Self.address(context.remoteAddress)) {
        case .tokens(let pair):
            return try Self.json(pair)
        case .challenge(let token, let expiresIn):
            return try Self.json(ChallengeResponse(challengeToken: token, expiresIn: expiresIn))
        }
    }

    @Sendable func challenge(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (body, _) = try await request.decodeStrict(ChallengeBody.self, limit: maxBodyBytes)
        guard (body.code == nil) != (body.recoveryCode == nil) else {
            throw Problem.validation(
                ValidationFailure(field: "code", "send exactly one of code and recovery_code"))
        }
        let pair = try await service.completeChallenge(
            token: body.challengeToken, code: body.code, recoveryCode: body.recoveryCode,
            address: Self.address(context.remoteAddress))
        return try Self.json(pair)
    }

    @Sendable func refresh(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (body, _) = try await request.decodeStrict(RefreshTokenBody.self, limit: maxBodyBytes)
        return try Self.json(try await service.refresh(body.refreshToken))
    }

    @Sendable func logout(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let (body, _) = try await request.decodeStrict(RefreshTokenBody.self, limit: maxBodyBytes)
        try await service.logout(body.refreshToken, user: context.user.id)
        return Response(status: .noContent)
    }

    @Sendable func me(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        try Self.json(AccountRepresentation(try await service.account(context.user.id)))
    }

    @Sendable func enable(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let (body, _) = try await request.decodeStrict(PasswordBody.self, limit: maxBodyBytes)
        let enrolment = try await service.beginEnrolment(
            user: context.user.id, password: body.password, address: Self.address(context.remoteAddress))
        return try Self.json(enrolment)
    }

    @Sendable func verify(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let (body, _) = try await request.decodeStrict(CodeBody.self, limit: maxBodyBytes)
        let codes = try await service.verifyEnrolment(user: context.user.id, code: body.code, address: Self.address(context.remoteAddress))
        return try Self.json(RecoveryCodesResponse(recoveryCodes: codes))
    }

    @Sendable func disable(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let (body, _) = try await request.decodeStrict(DisableTwoFactorBody.self, limit: maxBodyBytes)
        try await service.disableTwoFactor(
            user: context.user.id, password: body.password, code: body.code, address: Self.address(context.remoteAddress))
        return Response(status: .noContent)
    }

    @Sendable func recoveryCodes(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let (body, _) = try await request.decodeStrict(CodeBody.self, limit: maxBodyBytes)
        let codes = try await service.regenerateRecoveryCodes(
            user: context.user.id, code: body.code, address: Self.address(context.remoteAddress))
        return try Self.json(RecoveryCodesResponse(recoveryCodes: codes))
    }

    /// Responses that carry tokens, secrets or codes must not be stored by caches (RFC 6749 §5.1).
    private static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        var response = Response.json(ByteBuffer(bytes: try JSONCoding.encode(value)), status: status)
        response.headers[.cacheControl] = "no-store"
        return response
    }

    /// The client address that failures are counted against. Behind a proxy every client
    /// shares the proxy's address, which is why the per-address limit is much higher.
    private static func address(_ remote: String?) -> String { remote ?? "unknown" }
}
