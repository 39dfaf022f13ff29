import Foundation
import GavelCore
import Logging

/// Gavel's configuration, read once at start-up into typed, validated values.
public struct AppConfig: Sendable {
    public struct Server: Sendable {
        public var host: String
        public var port: Int
        public var requestTimeout: Duration
        public var maxBodyBytes: Int
        public var maxConnections: Int
        public var idleTimeout: Duration
    }

    public enum Synchronous: String, Sendable, CaseIterable { case off, normal, full, extra }

    public struct Database: Sendable {
        public var driver: String
        /// A file path, or `:memory:` for a private in-memory database (tests).
        public var sqlitePath: String
        public var synchronous: Synchronous
        public var maxConcurrency: Int
        public var acquireTimeout: Duration
        public var busyTimeout: Duration
    }

    public struct Auth: Sendable {
        public var jwtSecret: String
        /// True when `jwtSecret` was generated because none was configured.
        public var jwtSecretGenerated: Bool
        public var issuer: String
        public var audience: String
        public var accessTokenTTL: Duration
        public var refreshTokenTTL: Duration
        public var bcryptCost: Int
        public var totpIssuer: String
        public var loginMaxFailures: Int
        public var addressMaxFailures: Int
        public var loginLockout: Duration
    }

    public struct Auctions: Sendable {
        public var workers: Int
        public var queueCapacity: Int
        public var extensionThreshold: Duration
        public var extensionDuration: Duration
        public var maxExtension: Duration
        public var maxDuration: Duration
        public var defaultCurrency: Currency
    }

    public enum LogFormat: String, Sendable, CaseIterable { case json, logfmt }

    public struct Log: Sendable {
        public var level: Logger.Level
        public var format: LogFormat
    }

    public var server: Server
    public var database: Database
    public var auth: Auth
    public var auctions: Auctions
    public var metricsEnabled: Bool
    public var log: Log
}
