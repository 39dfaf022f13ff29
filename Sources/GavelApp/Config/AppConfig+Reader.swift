import Foundation
import GavelCore
import Logging

extension AppConfig {
    /// HS256 keys shorter than the hash output weaken the MAC (RFC 7518 §3.2).
    static let minimumSecretBytes = 32

    static func workers(_ configured: Int) -> Int {
        configured == 0 ? Processors.available : configured
    }

    init(reader: TypedConfigReader) throws(ConfigProblem) {
        let driver = try reader.string("database.driver")
        guard driver == "sqlite" else { throw ConfigProblem(key: "database.driver", "'\(driver)' is not supported (supported: sqlite)") }
        let path = try reader.string("database.sqlite.path")
        guard !path.isEmpty else { throw ConfigProblem(key: "database.sqlite.path", "must not be empty") }

        var secret = try reader.string("auth.jwt_secret")
        let generated = secret.isEmpty
        if generated {
            secret = (0..<48).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        } else if secret.utf8.count < Self.minimumSecretBytes {
            throw ConfigProblem(key: "auth.jwt_secret", "must be at least \(Self.minimumSecretBytes) bytes (got \(secret.utf8.count))")
        }
        let currencyCode = try reader.string("auctions.default_currency")
        guard let currency = Currency(currencyCode) else {
            throw ConfigProblem(key: "auctions.default_currency", "'\(currencyCode)' is not an ISO 4217 currency code")
        }
        let host = try reader.string("server.host")
        guard !host.isEmpty else { throw ConfigProblem(key: "server.host", "must not be empty") }

        self.init(
            server: Server(
                host: host,
                port: try reader.int("server.port", in: 0...65_535),
                requestTimeout: try reader.duration("server.request_timeout"),
                maxBodyBytes: try reader.int("server.max_body_bytes", in: 1_024...(64 << 20)),
                maxConnections: try reader.int("server.max_connections", in: 1...1_000_000),
                idleTimeout: try reader.duration("server.idle_timeout", atLeast: .seconds(1))),
            database: Database(
                driver: driver,
                sqlitePath: path,
                synchronous: try reader.choice("database.sqlite.synchronous", Synchronous.self),
                maxConcurrency: try reader.int("database.max_concurrency", in: 1...1_024),
                acquireTimeout: try reader.duration("database.acquire_timeout"),
                busyTimeout: try reader.duration("database.busy_timeout")),
            auth: Auth(
                jwtSecret: secret,
                jwtSecretGenerated: generated,
                issuer: try reader.string("auth.issuer"),
                audience: try reader.string("auth.audience"),
                accessTokenTTL: try reader.duration("auth.access_token_ttl", atLeast: .seconds(1)),
                refreshTokenTTL: try reader.duration("auth.refresh_token_ttl", atLeast: .seconds(1)),
                bcryptCost: try reader.int("auth.bcrypt_cost", in: 4...31),
                totpIssuer: try reader.string("auth.totp_issuer"),
                loginMaxFailures: try reader.int("auth.login_max_failures", in: 1...1_000),
                addressMaxFailures: try reader.int("auth.address_max_failures", in: 1...1_000_000),
                loginLockout: try reader.duration("auth.login_lockout", atLeast: .seconds(1))),
            auctions: Auctions(
                workers: Self.workers(try reader.int("auctions.workers", in: 0...256)),
                queueCapacity: try reader.int("auctions.queue_capacity", in: 1...10_000_000),
                extensionThreshold: try reader.duration("auctions.extension_threshold", atLeast: .zero),
                extensionDuration: try reader.duration("auctions.extension_duration", atLeast: .zero),
                maxExtension: try reader.duration("auctions.max_extension", atLeast: .zero),
                maxDuration: try reader.duration("auctions.max_duration", atLeast: .seconds(1)),
                defaultCurrency: currency),
            metricsEnabled: try reader.bool("metrics.enabled"),
            log: Log(
                level: try reader.choice("log.level", Logger.Level.self),
                format: try reader.choice("log.format", LogFormat.self)))
    }
}
