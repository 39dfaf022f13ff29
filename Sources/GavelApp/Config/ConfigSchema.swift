import Configuration

/// Every configuration key Gavel knows, with its kind and built-in default. This one table
/// feeds the defaults provider, the unknown-key check for YAML and `GAVEL_*` variables, and
/// the environment variable names (`server.port` → `GAVEL_SERVER_PORT`).
struct ConfigField: Sendable {
    enum Kind: Sendable { case string, int, bool, duration }

    let key: String
    let kind: Kind
    let defaultValue: ConfigContent?
    var isSecret = false

    /// `GAVEL_` + the key upper-cased, with every `.` becoming `_`.
    var environmentName: String { "GAVEL_" + providerName }

    /// The name swift-configuration's environment provider looks up for this key.
    var providerName: String { key.uppercased().replacingOccurrences(of: ".", with: "_") }
}

enum ConfigSchema {
    static let fields: [ConfigField] = [
        .init(key: "server.host", kind: .string, defaultValue: "127.0.0.1"),
        .init(key: "server.port", kind: .int, defaultValue: 8080),
        .init(key: "server.request_timeout", kind: .duration, defaultValue: "5s"),
        .init(key: "server.max_body_bytes", kind: .int, defaultValue: .int(1_048_576)),
        .init(key: "server.max_connections", kind: .int, defaultValue: 1024),
        .init(key: "server.idle_timeout", kind: .duration, defaultValue: "60s"),
        .init(key: "database.driver", kind: .string, defaultValue: "sqlite"),
        .init(key: "database.sqlite.path", kind: .string, defaultValue: "data/gavel.sqlite"),
        .init(key: "database.sqlite.synchronous", kind: .string, defaultValue: "full"),
        .init(key: "database.max_concurrency", kind: .int, defaultValue: 16),
        .init(key: "database.acquire_timeout", kind: .duration, defaultValue: "2s"),
        .init(key: "database.busy_timeout", kind: .duration, defaultValue: "5s"),
        .init(key: "auth.jwt_secret", kind: .string, defaultValue: "", isSecret: true),
        .init(key: "auth.issuer", kind: .string, defaultValue: "gavel"),
        .init(key: "auth.audience", kind: .string, defaultValue: "gavel"),
        .init(key: "auth.access_token_ttl", kind: .duration, defaultValue: "15m"),
        .init(key: "auth.refresh_token_ttl", kind: .duration, defaultValue: "30d"),
        .init(key: "auth.bcrypt_cost", kind: .int, defaultValue: 10),
        .init(key: "auth.totp_issuer", kind: .string, defaultValue: "Gavel"),
        .init(key: "auth.login_max_failures", kind: .int, defaultValue: 5),
        .init(key: "auth.address_max_failures", kind: .int, defaultValue: 100),
        .init(key: "auth.login_lockout", kind: .duration, defaultValue: "15m"),
        // 0 means one worker per core, decided when the configuration is loaded.
        .init(key: "auctions.workers", kind: .int, defaultValue: 0),
        .init(key: "auctions.queue_capacity", kind: .int, defaultValue: 10_000),
        .init(key: "auctions.extension_threshold", kind: .duration, defaultValue: "10m"),
        .init(key: "auctions.extension_duration", kind: .duration, defaultValue: "5m"),
        .init(key: "auctions.max_extension", kind: .duration, defaultValue: "1h"),
        .init(key: "auctions.max_duration", kind: .duration, defaultValue: "30d"),
        .init(key: "auctions.default_currency", kind: .string, defaultValue: "EUR"),
        .init(key: "metrics.enabled", kind: .bool, defaultValue: true),
        .init(key: "log.level", kind: .string, defaultValue: "info"),
        .init(key: "log.format", kind: .string, defaultValue: "json"),
    ]

    static let byKey: [String: ConfigField] = Dictionary(uniqueKeysWithValues: fields.map { ($0.key, $0) })
    static let byEnvironmentName: [String: ConfigField] = Dictionary(
        uniqueKeysWithValues: fields.map { ($0.environmentName, $0) })

    static var defaults: [AbsoluteConfigKey: ConfigValue] {
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        for field in fields {
            if let value = field.defaultValue {
                values[AbsoluteConfigKey(ConfigKey(field.key))] = ConfigValue(value, isSecret: field.isSecret)
            }
        }
        return values
    }
}
