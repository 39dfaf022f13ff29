import Foundation

/// Brute-force protection: password, code and recovery-code attempts count per account
/// (`auth.login_max_failures`) and, with a much higher limit, per client address
/// (`auth.address_max_failures`), within `auth.login_lockout`. Past either limit every
/// attempt is 429 with `Retry-After` until the lockout ends, right answers included.
///
/// An attempt is counted before its secret is checked and taken back when it passes, so
/// concurrent attempts cannot all be checked while the count is still under the limit.
struct LoginThrottle: Sendable {
    let repository: IdentityRepository
    let accountLimit: Int
    let addressLimit: Int
    let window: TimeInterval
    let metrics: IdentityMetrics

    /// What a passing attempt means for the account's count.
    enum Pass {
        /// The attempt is taken back; earlier failures still count (a password right before the
        /// second factor, or a re-check for a sensitive change).
        case withdraw
        /// A completed sign-in: the account's failures are cleared. The address count runs out
        /// with its window, so one success cannot hide many failures from the same address.
        case signIn
    }

    /// Runs `check` as one counted attempt and returns its value; nil means the secret was
    /// wrong, and the attempt stays counted. An error thrown by `check` (an overloaded hasher, a
    /// database error) takes the attempt back: nothing was judged. Throws 429 without running
    /// `check` when the account or the address is locked out, after calling `onLockout`.
    func attempt<Value>(
        account: UUID?, address: String, now: Date, pass: Pass = .withdraw, onLockout: () -> Void = {},
        _ check: () async throws -> Value?
    ) async throws -> Value? {
        var keys = [IdentityRepository.CounterKey(scope: .address, key: address, limit: addressLimit)]
        if let account { keys.insert(.init(scope: .account, key: account.text, limit: accountLimit), at: 0) }
        if let (scope, until) = try await repository.beginAttempt(keys, now: now, window: window) {
            metrics.limited(scope == .account ? .account : .address)
            onLockout()
            throw Self.locked(until: until, now: now)
        }
        let value: Value?
        do {
            value = try await check()
        } catch {
            try? await repository.withdrawAttempt(keys)
            throw error
        }
        if value != nil { try await repository.withdrawAttempt(keys, clearing: pass == .signIn ? .account : nil) }
        return value
    }

    static func locked(until: Date, now: Date) -> Problem {
        let seconds = max(1, Int(until.timeIntervalSince(now).rounded(.up)))
        return Problem(.tooManyRequests, code: "identity.locked", detail: "Too many failed attempts; try again later.")
            .with(.retryAfter, String(seconds))
    }
}
