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
        guard let pending = account.twoFactorPendingSecret, !account.twoFactorEnabled else {
            throw Problem(.conflict, code: "identity.two_factor_not_pending", detail: "Call /2fa/enable first.")
        }
        let matched = try await throttle.attempt(account: user, address: address, now: now) {
            TwoFactorCrypto.totp(pending).matchingStep(code, at: now)
        }
        guard let step = matched else { try failedFactor(.invalid, problem: Self.wrongCode) }
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
        let account = try await self.account(user)
        guard let secret = account.twoFactorSecret else { throw Self.challengeInvalid }
        // Counted before the code is checked, like the account's attempts, so concurrent
        // guesses cannot all be checked while the count is under the limit. The attempt that
        // uses up the challenge is still answered 401; the 429s after it are the rate limiting.
        guard try await repository.beginChallengeAttempt(challengeID, limit: Self.challengeMaxFailures) else {
            metrics.limited(.challenge)
            throw Problem(.tooManyRequests, code: "identity.challenge_locked", detail: "Too many wrong codes; sign in again.")
                .with(.retryAfter, String(Int(TokenIssuer.challengeLifetime)))
        }

        // Each attempt counts once in gavel_two_factor_total, under the result it had.
        var failure = IdentityMetrics.TwoFactorResult.invalid
        let accepted = try await throttle.attempt(account: user, address: address, now: now, pass: .signIn) { () -> Bool? in
            if let code {
                guard let step = TwoFactorCrypto.totp(secret).matchingStep(code, at: now) else { return nil }
                guard try await repository.acceptStep(user, step: step) else {
                    failure = .replay
                    return nil
                }
                return true
            }
            guard let recoveryCode, RecoveryCode.normalize(recoveryCode) != nil else { return nil }
            let hash = TwoFactorCrypto.recoveryHash(recoveryCode, user: user)
            return try await repository.useRecoveryCode(user, hash: hash, now: now) ? true : nil
        }
        guard accepted != nil else { try failedFactor(failure, problem: Self.invalidCode) }
        guard try await repository.consumeChallenge(challengeID, now: now) else { throw Self.challengeInvalid }
        metrics.secondFactor(code == nil ? .recovery : .success)
        metrics.login(.success)
        return try await issueTokens(for: user, amr: ["pwd", "otp"], now: now)
    }

    /// Checks the password again for a sensitive change; a wrong one counts as a failed attempt.
    private func reauthenticate(_ user: UUID, password: String, address: String) async throws -> Account {
        let now = now()
        let account = try await self.account(user)
        let verified = try await throttle.attempt(account: user, address: address, now: now) {
            try await hasher.verify(password, against: account.passwordHash) ? true : nil
        }
        guard verified != nil else {
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
        var failure = IdentityMetrics.TwoFactorResult.invalid
        let accepted = try await throttle.attempt(account: account.id, address: address, now: now) { () -> Bool? in
            guard let step = TwoFactorCrypto.totp(secret).matchingStep(code, at: now) else { return nil }
            guard try await repository.acceptStep(account.id, step: step) else {
                failure = .replay
                return nil
            }
            return true
        }
        guard accepted != nil else { try failedFactor(failure, problem: Self.wrongCode) }
    }

    /// A wrong code, already counted by the throttle: recorded in the metrics and refused.
    private func failedFactor(_ result: IdentityMetrics.TwoFactorResult, problem: Problem) throws -> Never {
        metrics.secondFactor(result)
        throw problem
    }
}
