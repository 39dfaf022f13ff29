import Foundation

/// Brute-force protection: password, code and recovery-code attempts count per account
/// (`auth.login_max_failures`) and, with a much higher limit, per client address
/// (`auth.address_max_failures`), within `auth.login_lockout`. Past either limit every
/// attempt is 429 with `Retry-After` until the lockout ends, right answers included.
///
/// An attempt is counted as in flight before its secret is checked. While a key's failures plus
/// its attempts in flight reach the limit, further attempts wait for one of those to end instead
/// of being judged, so concurrent wrong attempts cannot all be judged under the limit, and
/// concurrent right ones (several devices, one load generator) are never refused for it.
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
    /// wrong, which is recorded as a failure. An error thrown by `check` (an overloaded hasher, a
    /// database error) counts nothing: nothing was judged. Throws 429 without running `check`
    /// when the account or the address is locked out, after calling `onLockout`. Waits, without
    /// a bound of its own (the request's timeout cancels it), while the attempts in flight
    /// could reach a limit.
    func attempt<Value>(
        account: UUID?, address: String, now: Date, pass: Pass = .withdraw, onLockout: () -> Void = {},
        _ check: () async throws -> Value?
    ) async throws -> Value? {
        var keys = [IdentityRepository.CounterKey(scope: .address, key: address, limit: addressLimit)]
        if let account { keys.insert(.init(scope: .account, key: account.text, limit: accountLimit), at: 0) }
        while true {
            switch try await repository.beginAttempt(keys, now: now, window: window) {
            case .started:
                break
            case .locked(let scope, let until):
                metrics.limited(scope == .account ? .account : .address)
                onLockout()
                throw Self.locked(until: until, now: now)
            case .full(let generation):
                try await repository.attemptEnded(since: generation)
                continue
            }
            break
        }
        let value: Value?
        do {
            value = try await check()
        } catch {
            try? await repository.endAttempt(keys)
            throw error
        }
        if value == nil {
            try await repository.recordFailure(keys, now: now, window: window)
        } else {
            try await repository.endAttempt(keys, clearing: pass == .signIn ? .account : nil)
        }
        return value
    }

    static func locked(until: Date, now: Date) -> Problem {
        let seconds = max(1, Int(until.timeIntervalSince(now).rounded(.up)))
        return Problem(.tooManyRequests, code: "identity.locked", detail: "Too many failed attempts; try again later.")
            .with(.retryAfter, String(seconds))
    }
}
