import Foundation
import Testing

@testable import GavelApp

@Suite("Configuration")
struct ConfigTests {
    func yaml(_ text: String) throws -> String {
        let path = Scratch.path("gavel.yaml")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("built-in defaults match the documented ones")
    func defaults() async throws {
        let config = try await AppConfig.load(file: nil)
        #expect(config.server.port == 8080)
        #expect(config.server.requestTimeout == .seconds(5))
        #expect(config.server.maxBodyBytes == 1_048_576)
        #expect(config.database.sqlitePath == "data/gavel.sqlite")
        #expect(config.database.synchronous == .full)
        #expect(config.auth.accessTokenTTL == .seconds(900))
        #expect(config.auth.refreshTokenTTL == .seconds(30 * 86_400))
        #expect(config.auth.bcryptCost == 10)
        #expect(config.auctions.workers == Processors.available)
        #expect(config.auctions.defaultCurrency.code == "EUR")
        #expect(config.log.format == .json)
    }

    @Test("one per core counts the processors the process may run on: its affinity mask and CPU quota")
    func processors() throws {
        #expect(Processors.affinityCount(status: "Name:\tgavel\nCpus_allowed:\t3\nCpus_allowed_list:\t0-1\n") == 2)
        #expect(Processors.affinityCount(status: "Cpus_allowed:\t1\n") == 1)
        #expect(Processors.affinityCount(status: "Cpus_allowed:\tffffffff,00000001\n") == 33)
        #expect(Processors.affinityCount(status: "Cpus_allowed:\t0\n") == nil)
        #expect(Processors.affinityCount(status: "Cpus_allowed:\tzz\n") == nil)
        #expect(Processors.affinityCount(status: "Name:\tgavel\n") == nil)
        // This process: never more than the machine has, never more than its mask allows.
        let mask = try #require(Processors.affinityCount)
        #expect(Processors.available >= 1)
        #expect(Processors.available <= mask)
        #expect(Processors.available <= ProcessInfo.processInfo.activeProcessorCount)
    }

    @Test("the shipped config.yaml loads")
    func shippedFile() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let config = try await AppConfig.load(file: root.appendingPathComponent("config.yaml").path)
        #expect(config.server.port == 8080)
        #expect(config.auth.jwtSecretGenerated)
    }

    @Test("precedence is flag over environment over file over default")
    func precedence() async throws {
        let file = try yaml("server:\n  port: 9000\n  host: 0.0.0.0\nlog:\n  level: debug\n")
        let fileOnly = try await AppConfig.load(file: file)
        #expect(fileOnly.server.port == 9000)
        #expect(fileOnly.server.host == "0.0.0.0")
        let env = try await AppConfig.load(file: file, environment: ["GAVEL_SERVER_PORT": "9100", "PATH": "/bin"])
        #expect(env.server.port == 9100)
        #expect(env.log.level == .debug)
        let flag = try await AppConfig.load(file: file, environment: ["GAVEL_SERVER_PORT": "9100"], overrides: ["server.port": "9200"])
        #expect(flag.server.port == 9200)
        #expect(flag.server.host == "0.0.0.0")
    }

    @Test("nested keys map to environment names with underscores")
    func environmentNames() async throws {
        let config = try await AppConfig.load(
            file: nil,
            environment: ["GAVEL_DATABASE_SQLITE_PATH": ":memory:", "GAVEL_SERVER_REQUEST_TIMEOUT": "250ms", "GAVEL_METRICS_ENABLED": "false"])
        #expect(config.database.sqlitePath == ":memory:")
        #expect(config.server.requestTimeout == .milliseconds(250))
        #expect(!config.metricsEnabled)
    }

    @Test("an empty JWT secret is replaced by a random one of full strength")
    func generatedSecret() async throws {
        let first = try await AppConfig.load(file: nil)
        let second = try await AppConfig.load(file: nil)
        #expect(first.auth.jwtSecretGenerated)
        #expect(first.auth.jwtSecret.utf8.count >= 32)
        #expect(first.auth.jwtSecret != second.auth.jwtSecret)
    }

    @Test("invalid environment values fail naming the key", arguments: [
        ("GAVEL_SERVER_PORT", "70000", "server.port"), ("GAVEL_SERVER_PORT", "-1", "server.port"),
        ("GAVEL_SERVER_PORT", "eighty", "server.port"), ("GAVEL_AUTH_JWT_SECRET", "short", "auth.jwt_secret"),
        ("GAVEL_SERVER_REQUEST_TIMEOUT", "5 parsecs", "server.request_timeout"),
        ("GAVEL_LOG_LEVEL", "loud", "log.level"), ("GAVEL_LOG_FORMAT", "xml", "log.format"),
        ("GAVEL_DATABASE_DRIVER", "oracle", "database.driver"), ("GAVEL_METRICS_ENABLED", "maybe", "metrics.enabled"),
        ("GAVEL_AUTH_BCRYPT_COST", "3", "auth.bcrypt_cost"), ("GAVEL_AUCTIONS_DEFAULT_CURRENCY", "EURO", "auctions.default_currency"),
        ("GAVEL_DATABASE_SQLITE_SYNCHRONOUS", "sometimes", "database.sqlite.synchronous"),
        ("GAVEL_SERVER_PROT", "80", "GAVEL_SERVER_PROT"),
    ])
    func invalidEnvironment(name: String, value: String, key: String) async throws {
        let error = await #expect(throws: ConfigProblem.self) {
            try await AppConfig.load(file: nil, environment: [name: value])
        }
        #expect(error?.key == key)
        #expect(error?.description.contains("\n") == false)
    }

    @Test("invalid YAML content fails naming the key", arguments: [
        ("server:\n  prot: 80\n", "server.prot"), ("servers:\n  port: 80\n", "servers"),
        ("server:\n  port: high\n", "server.port"), ("server:\n  port: 99999\n", "server.port"),
        ("database:\n  sqlite: yes\n", "database.sqlite"),
    ])
    func invalidYAML(text: String, key: String) async throws {
        let file = try yaml(text)
        let error = await #expect(throws: ConfigProblem.self) { try await AppConfig.load(file: file) }
        #expect(error?.key == key)
    }

    @Test("a missing or unparsable file fails naming the file")
    func badFile() async throws {
        let missing = await #expect(throws: ConfigProblem.self) { try await AppConfig.load(file: "/nonexistent/gavel.yaml") }
        #expect(missing?.key == "/nonexistent/gavel.yaml")
        let broken = try yaml("server: [unclosed\n")
        let error = await #expect(throws: ConfigProblem.self) { try await AppConfig.load(file: broken) }
        #expect(error?.key == broken)
    }

    @Test("durations accept ms, s, m, h, d and bare seconds", arguments: [
        ("250ms", Duration.milliseconds(250)), ("5s", .seconds(5)), ("15m", .seconds(900)), ("2h", .seconds(7_200)),
        ("30d", .seconds(2_592_000)), ("7", .seconds(7)),
    ])
    func durations(text: String, expected: Duration) {
        #expect(ConfigDuration.parse(text) == expected)
    }

    @Test("malformed durations are rejected", arguments: ["", "s", "5 s", "5w", "-5s", "1.5s", "9999999999999s"])
    func badDurations(text: String) {
        #expect(ConfigDuration.parse(text) == nil)
    }
}
