import Foundation
import GavelCore

/// Two-factor authentication: enrolment, the login challenge, disabling and new recovery codes.
extension IdentityService {
    /// A wrong code while signing in: the sign-in fails (401).
    static let invalidCode = Problem(.unauthorized, code: "identity.invalid_code", detail: "The code is wrong or was already used.")
        .with(.wwwAuthenticate, "Bearer")
    /// A wrong code for a change by a signed-in user: the session stays valid, the change is
    /// refused (403).
    static let wrongCode = Problem(.forbidden, code: "identity.invalid_code", detail: "The code is wrong or was already used.")
    static let challengeInvalid = Problem(
        .unauthorized, code: "identity.invalid_challenge", detail: "The challenge token is invalid, expired or already used."
    ).with(.wwwAuthenticate, "Bearer")
    /// Wrong codes a single challenge tolerates before it is burned.
    static let challengeMaxFailures = 5

    struct Enrolment: Encodable {
        let secret: String
        let otpauthURL: String
        enum CodingKeys: String, CodingKey { case secret, otpauthURL = "otpauth_url" }
    }

    /// Starts enrolment after re-checking the password; 2FA stays off until `verifyEnrolment`.
    func beginEnrolment(user: UUID, password: String, address: String) async throws -> Enrolment {
        let account = try await reauthenticate(user, password: password, address: address)
        guard !account.twoFactorEnabled else {
            throw Problem(.conflict, code: "identity.two_factor_enabled", detail: "Two-factor authentication is already on.")
        }
        let secret = TwoFactorCrypto.newSecret()
        try await repository.setPendingSecret(user, secret: secret)
        return Enrolment(
            secret: Base32.encode(secret), otpauthURL: OTPAuthURI.make(issuer: totpIssuer, account: account.email, secret: secret))
    }

    /// Confirms enrolment with a current code from the new secret; returns the recovery codes,
    /// shown this once and stored hashed.
    func verifyEnrolment(user: UUID, code: String, address: String) async throws -> [String] {
        let now = now()
        let account = try await self.account(user)
        try await throttle.check(account: user, address: address, now: now)
        guard let pending = account.twoFactorPendingSecret, !account.twoFactorEnabled else {
            throw Problem(.conflict, code: "identity.two_factor_not_pending", detail: "Call /2fa/enable first.")
        }
        guard let step = TwoFactorCrypto.totp(pending).matchingStep(code, at: now) else {
            try await failedFactor(user: user, address: address, now: now, result: .invalid, problem: Self.wrongCode)
        }
        let codes = TwoFactorCrypto.newRecoveryCodes()
        let hashes = codes.map { TwoFactorCrypto.recoveryHash($0, user: user) }

        guard try await repository.activateTwoFactor(user, secret: pending, step: step, recoveryHashes: hashes) else {
            throw Problem(.conflict, code: "identity.two_factor_not_pending", detail: "The enrolment changed; start again.")
        }
        metrics.secondFactor(.success)
        return codes
    }

    /// Turns 2FA off; needs the password and a current code.
    func disableTwoFactor(user: UUID, password: String, code: String, address: String) async throws {
        let account = try await reauthenticate(user, password: password, address: address)
        try await requireCurrentCode(code, account: account, address: address)
        try await repository.disableTwoFactor(user)
    }

    /// Replaces the recovery codes; needs a current code. The old set stops working.
    func regenerateRecoveryCodes(user: UUID, code: String, address: String) async throws -> [String] {
        let account = try await self.account(user)
        try await throttle.check(account: user, address: address, now: now())
        try await requireCurrentCode(code, account: account, address: address)
        let codes = TwoFactorCrypto.newRecoveryCodes()
        try await repository.replaceRecoveryCodes(user, hashes: codes.map { TwoFactorCrypto.recoveryHash($0, user: user) })
        return codes
    }

    /// Finishes a login that needs a second factor: a current code or an unused recovery code.
    func completeChallenge(token: String, code: String?, recoveryCode: String?, address: String) async throws -> TokenPair {
        let now = now()
        guard let (user, challengeID) = await tokens.verifyChallenge(token, now: now),
            let challenge = try await repository.challenge(challengeID), challenge.userID == user, !challenge.consumed
        else { throw Self.challengeInvalid }
        guard challenge.failures < Self.challengeMaxFailures else {
            metrics.limited(.challenge)
            throw Problem(.tooManyRequests, code: "identity.challenge_locked", detail: "Too many wrong codes; sign in again.")
                .with(.retryAfter, String(Int(TokenIssuer.challengeLifetime)))
        }
        try await throttle.check(account: user, address: address, now: now)
        let account = try await self.account(user)
        guard let secret = account.twoFactorSecret else { throw Self.challengeInvalid }

        // Each attempt counts once in gavel_two_factor_total, under the result it had.
        var accepted = false
        var failure = IdentityMetrics.TwoFactorResult.invalid
        if let code {
            if let step = TwoFactorCrypto.totp(secret).matchingStep(code, at: now) {
                accepted = try await repository.acceptStep(user, step: step)
                if !accepted { failure = .replay }
            }
        } else if let recoveryCode, RecoveryCode.normalize(recoveryCode) != nil {
            accepted = try await repository.useRecoveryCode(user, hash: TwoFactorCrypto.recoveryHash(recoveryCode, user: user), now: now)
        }
        guard accepted else {
            // The attempt that uses up the challenge is still answered 401; the 429s after it
            // are what counts as rate limiting.
            _ = try await repository.recordChallengeFailure(challengeID)
            try await failedFactor(user: user, address: address, now: now, result: failure, problem: Self.invalidCode)
        }
        guard try await repository.consumeChallenge(challengeID, now: now) else { throw Self.challengeInvalid }
        try await throttle.recordSuccess(account: user)
        metrics.secondFactor(code == nil ? .recovery : .success)
        metrics.login(.success)
        return try await issueTokens(for: user, amr: ["pwd", "otp"], now: now)
    }

    /// Checks the password again for a sensitive change; a wrong one counts as a failed attempt.
    private func reauthenticate(_ user: UUID, password: String, address: String) async throws -> Account {
        let now = now()
        let account = try await self.account(user)
        try await throttle.check(account: user, address: address, now: now)
        guard try await hasher.verify(password, against: account.passwordHash) else {
            try await throttle.recordFailure(account: user, address: address, now: now)
            throw Problem(
                .forbidden, code: "identity.invalid_password", detail: "The password is wrong.",
                errors: [FieldError(field: "password", message: "is wrong")])
        }
        return account
    }

    /// Accepts a current code of the active secret exactly once.
    private func requireCurrentCode(_ code: String, account: Account, address: String) async throws {
        let now = now()
        guard let secret = account.twoFactorSecret else {
            throw Problem(.conflict, code: "identity.two_factor_disabled", detail: "Two-factor authentication is off.")
        }
        guard let step = TwoFactorCrypto.totp(secret).matchingStep(code, at: now) else {
            try await failedFactor(user: account.id, address: address, now: now, result: .invalid, problem: Self.wrongCode)
        }
        guard try await repository.acceptStep(account.id, step: step) else {
            try await failedFactor(user: account.id, address: address, now: now, result: .replay, problem: Self.wrongCode)
        }
    }

    private func failedFactor(
        user: UUID, address: String, now: Date, result: IdentityMetrics.TwoFactorResult, problem: Problem
    ) async throws -> Never {
        try await throttle.recordFailure(account: user, address: address, now: now)
        metrics.secondFactor(result)
        throw problem
    }
}
