import Crypto
import Foundation
import GavelCore
import Logging

/// Accounts and sessions: registration, login (with the two-factor challenge when enabled),
/// refresh-token rotation and logout. `now` is injectable so lockouts and expiry are testable
/// without sleeping.
struct IdentityService: Sendable {
    let repository: IdentityRepository
    let hasher: PasswordHasher
    let tokens: TokenIssuer
    let throttle: LoginThrottle
    let metrics: IdentityMetrics
    let refreshLifetime: TimeInterval
    let totpIssuer: String
    let now: @Sendable () -> Date

    enum LoginOutcome: Sendable {
        case tokens(TokenPair)
        case challenge(token: String, expiresIn: Int)
    }

    static let invalidCredentials = Problem(
        .unauthorized, code: "identity.invalid_credentials", detail: "The email or the password is wrong."
    ).with(.wwwAuthenticate, "Bearer")

    func register(email: String, password: String, name: String, context: WriteContext) async throws -> Account {
        // Every field is checked, so one answer names every problem.
        var errors: [FieldError] = []
        let normalizedEmail = Self.collect(&errors) { try EmailAddress.normalize(email) }
        let normalizedName = Self.collect(&errors) { try PersonName.normalize(name) }
        _ = Self.collect(&errors) { try PasswordPolicy.check(password) }
        guard let normalizedEmail, let normalizedName, errors.isEmpty else { throw ValidationFailure(errors: errors) }
        let account = Account(
            id: Identifier.make(at: context.now), email: normalizedEmail, name: normalizedName,
            passwordHash: try await hasher.hash(password), createdAt: context.now)
        do {
            try await repository.insert(account, context: context)
        } catch IdentityStoreError.emailTaken {
            throw Problem(
                .conflict, code: "identity.email_taken", detail: "An account with this email exists.",
                errors: [FieldError(field: "email", message: "is already registered")])
        }
        metrics.userRegistered()
        return account
    }

    func login(email: String, password: String, address: String) async throws -> LoginOutcome {
        let now = now()
        let known = try? await repository.account(email: EmailAddress.normalize(email))
        // With a second factor on, a right password is only half a sign-in: the account's
        // earlier failures (wrong codes included) keep counting until the code is right too.
        let pass: LoginThrottle.Pass = known?.twoFactorEnabled == false ? .signIn : .withdraw
        let verified = try await throttle.attempt(
            account: known?.id, address: address, now: now, pass: pass, onLockout: { metrics.login(.locked) }
        ) {
            // An unknown email is still checked against a dummy hash, so it takes as long.
            try await hasher.verify(password, against: known?.passwordHash) ? known : nil
        }
        guard let account = verified else {
            metrics.login(.invalid)
            throw Self.invalidCredentials
        }
        if hasher.needsRehash(account.passwordHash) {
            try await repository.updatePasswordHash(account.id, hash: try await hasher.hash(password), now: now)
        }
        guard account.twoFactorEnabled else {
            metrics.login(.success)
            return .tokens(try await issueTokens(for: account.id, amr: ["pwd"], now: now))
        }
        let challenge = Identifier.make(at: now)
        try await repository.insertChallenge(challenge, userID: account.id, expires: now.addingTimeInterval(TokenIssuer.challengeLifetime))
        metrics.login(.challenge)
        return .challenge(
            token: try await tokens.challengeToken(for: account.id, challenge: challenge, now: now),
            expiresIn: Int(TokenIssuer.challengeLifetime))
    }

    func refresh(_ refreshToken: String) async throws -> TokenPair {
        let now = now()
        let next = TokenIssuer.newRefreshToken()
        let rotation = try await repository.rotateRefreshToken(
            TokenIssuer.refreshTokenHash(refreshToken), newHash: next.hash, now: now,
            expires: now.addingTimeInterval(refreshLifetime))
        switch rotation {
        case .rotated(let user, let amr):
            return TokenPair(
                accessToken: try await tokens.accessToken(for: user, amr: amr, now: now),
                expiresIn: Int(tokens.accessLifetime), refreshToken: next.token)
        case .reused:
            throw Problem(
                .unauthorized, code: "identity.refresh_token_reused",
                detail: "This refresh token was already used; the session has been ended. Sign in again."
            ).with(.wwwAuthenticate, "Bearer")
        case .unknown, .expired:
            throw Problem(.unauthorized, code: "identity.invalid_refresh_token", detail: "The refresh token is invalid or expired.")
                .with(.wwwAuthenticate, "Bearer")
        }
    }

    func logout(_ refreshToken: String, user: UUID) async throws {
        try await repository.revokeSession(ofToken: TokenIssuer.refreshTokenHash(refreshToken), userID: user, now: now())
    }

    func account(_ id: UUID) async throws -> Account {
        guard let account = try await repository.account(id: id) else {
            throw Problem.unauthorized("The account of this token no longer exists.")
        }
        return account
    }

    private static func collect<T>(_ errors: inout [FieldError], _ check: () throws -> T) -> T? {
        do {
            return try check()
        } catch let failure as ValidationFailure {
            errors += failure.errors
        } catch {
            errors.append(FieldError(field: "body", message: "is invalid"))
        }
        return nil
    }

    /// A new session: an access token and the first refresh token of a new family.
    func issueTokens(for user: UUID, amr: [String], now: Date) async throws -> TokenPair {
        let refresh = TokenIssuer.newRefreshToken()
        try await repository.insertRefreshToken(
            hash: refresh.hash, userID: user, family: Identifier.make(at: now), amr: amr, now: now,
            expires: now.addingTimeInterval(refreshLifetime))
        return TokenPair(
            accessToken: try await tokens.accessToken(for: user, amr: amr, now: now), expiresIn: Int(tokens.accessLifetime),
            refreshToken: refresh.token)
    }
}
