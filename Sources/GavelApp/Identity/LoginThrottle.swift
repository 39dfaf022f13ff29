import Foundation

/// Brute-force protection: failed password, code and recovery-code attempts count per account
/// (`auth.login_max_failures`) and, with a much higher limit, per client address
/// (`auth.address_max_failures`), within `auth.login_lockout`. Past either limit every
/// attempt is 429 with `Retry-After` until the lockout ends, right answers included.
struct LoginThrottle: Sendable {
    let repository: IdentityRepository
    let accountLimit: Int
    let addressLimit: Int
    let window: TimeInterval
    let metrics: IdentityMetrics

    /// Throws 429 when the account or the address is locked out at `now`.
    func check(account: UUID?, address: String, now: Date) async throws {
        if let account, let until = try await repository.lockedUntil(.account, account.text, now: now) {
            metrics.limited(.account)
            throw Self.locked(until: until, now: now)
        }
        if let until = try await repository.lockedUntil(.address, address, now: now) {
            metrics.limited(.address)
            throw Self.locked(until: until, now: now)
        }
    }

    func recordFailure(account: UUID?, address: String, now: Date) async throws {
        if let account {
            try await repository.recordFailure(.account, account.text, now: now, limit: accountLimit, window: window)
        }
        try await repository.recordFailure(.address, address, now: now, limit: addressLimit, window: window)
    }

    /// A successful sign-in clears the account's count; the address count runs out with its
    /// window, so one success cannot hide many failures from the same address.
    func recordSuccess(account: UUID) async throws {
        try await repository.clearFailures(.account, account.text)
    }

    static func locked(until: Date, now: Date) -> Problem {
        let seconds = max(1, Int(until.timeIntervalSince(now).rounded(.up)))
        return Problem(.tooManyRequests, code: "identity.locked", detail: "Too many failed attempts; try again later.")
            .with(.retryAfter, String(seconds))
    }
}
