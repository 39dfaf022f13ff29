import Metrics

/// Identity metrics of SPEC §7.
struct IdentityMetrics: Sendable {
    enum LoginResult: String { case success, invalid, locked, challenge }
    enum TwoFactorResult: String { case success, invalid, replay, recovery, locked }
    enum Scope: String { case account, address, challenge }

    private let registry: MetricsRegistry
    private let registered: CoreMetrics.Counter

    init(_ registry: MetricsRegistry) {
        self.registry = registry
        self.registered = registry.counter("gavel_users_registered_total")
        // Every labelled series exists from the start, so rate() and dashboards see zeros.
        for result in [LoginResult.success, .invalid, .locked, .challenge] { _ = logins(result) }
        for result in [TwoFactorResult.success, .invalid, .replay, .recovery, .locked] { _ = twoFactor(result) }
        for scope in [Scope.account, .address, .challenge] { _ = rateLimited(scope) }
    }

    func userRegistered() { registered.increment() }

    func login(_ result: LoginResult) { logins(result).increment() }

    func secondFactor(_ result: TwoFactorResult) { twoFactor(result).increment() }

    func limited(_ scope: Scope) { rateLimited(scope).increment() }

    private func logins(_ result: LoginResult) -> CoreMetrics.Counter {
        registry.counter("gavel_logins_total", [("result", result.rawValue)])
    }

    private func twoFactor(_ result: TwoFactorResult) -> CoreMetrics.Counter {
        registry.counter("gavel_two_factor_total", [("result", result.rawValue)])
    }

    private func rateLimited(_ scope: Scope) -> CoreMetrics.Counter {
        registry.counter("gavel_rate_limited_total", [("scope", scope.rawValue)])
    }
}
