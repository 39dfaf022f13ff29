import ArgumentParser
import Foundation
import GavelApp
import Logging
import Metrics
import Prometheus

@main
struct Gavel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A marketplace and auction house in one process.",
        version: GavelVersion.current,
        subcommands: [Serve.self, Migrate.self, Seed.self, BenchEngine.self],
        defaultSubcommand: Serve.self)
}

/// Options every subcommand shares: where the configuration comes from.
struct ConfigOptions: ParsableArguments {
    @Option(help: "The YAML configuration file.")
    var config = "config.yaml"

    @Option(help: "Overrides server.host.")
    var host: String?

    @Option(help: "Overrides server.port.")
    var port: Int?

    @Option(name: .customLong("log-level"), help: "Overrides log.level.")
    var logLevel: String?

    /// Loads and validates the configuration; on any problem prints one line naming the key
    /// and exits with code 2.
    func load() async -> AppConfig {
        var overrides: [String: String] = [:]
        overrides["server.host"] = host
        overrides["server.port"] = port.map(String.init)
        overrides["log.level"] = logLevel
        do {
            return try await AppConfig.load(
                file: config, environment: ProcessInfo.processInfo.environment, overrides: overrides)
        } catch {
            FileHandle.standardError.write(Data("gavel: \(error)\n".utf8))
            Foundation.exit(2)
        }
    }
}

/// Bootstraps the process-wide logging and metrics backends, once.
enum Bootstrap {
    static func logging(_ config: AppConfig) -> Logger {
        LoggingSystem.bootstrap { label in
            StructuredLogHandler(label: label, level: config.log.level, format: config.log.format)
        }
        return Logger(label: "gavel")
    }

    static func metrics(_ config: AppConfig) -> MetricsRegistry {
        let registry = MetricsRegistry(enabled: config.metricsEnabled)
        if config.metricsEnabled {
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry.registry))
        }
        return registry
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the API (the default).")

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        Processors.sizeSharedThreads()
        let config = await options.load()
        let logger = Bootstrap.logging(config)
        let service = try await buildApplication(config: config, logger: logger, metrics: Bootstrap.metrics(config))
        logger.info("gavel starting", metadata: ["host": "\(config.server.host)", "port": "\(config.server.port)"])
        try await service.run()
        logger.info("gavel stopped")
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or upgrade the database schema, then exit.")

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let config = await options.load()
        let logger = Bootstrap.logging(config)
        _ = try Store.open(config.database, metrics: MetricsRegistry(enabled: false), logger: logger)
        logger.info("database migrated", metadata: ["path": "\(config.database.sqlitePath)"])
    }
}

struct Seed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add demo users (password '\(Seeder.password)') and products.")

    @OptionGroup var options: ConfigOptions

    @Option(help: "How many demo users (user1@gavel.test …).")
    var users = 10

    @Option(help: "How many demo products, spread over the users.")
    var products = 100

    @Option(help: "How many active demo auctions, ending from minutes to two days from now.")
    var items = 50

    func validate() throws {
        guard (0...100_000).contains(users) else { throw ValidationError("--users must be between 0 and 100000") }
        guard (0...1_000_000).contains(products) else { throw ValidationError("--products must be between 0 and 1000000") }
        guard (0...1_000_000).contains(items) else { throw ValidationError("--items must be between 0 and 1000000") }
    }

    func run() async throws {
        let config = await options.load()
        let logger = Bootstrap.logging(config)
        let store = try Store.open(config.database, metrics: MetricsRegistry(enabled: false), logger: logger)
        try await Seeder(store: store, config: config, logger: logger).run(users: users, products: products, items: items)
    }
}

struct BenchEngine: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-engine",
        abstract: "Benchmark the bid engine alone (no HTTP) on a temporary database, then exit.")

    @OptionGroup var options: ConfigOptions

    @Option(help: "Items the bids are spread over.")
    var items = 1_000

    @Option(help: "Bids to submit.")
    var bids = 200_000

    @Option(help: "Concurrent submitters.")
    var concurrency = 512

    func validate() throws {
        guard items > 0, bids > 0, concurrency > 0 else { throw ValidationError("--items, --bids and --concurrency must be positive") }
    }

    func run() async throws {
        let config = await options.load()
        let logger = Bootstrap.logging(config)
        let report = try await EngineBenchmark.run(config: config, items: items, bids: bids, concurrency: concurrency, logger: logger)
        print(report)
    }
}
