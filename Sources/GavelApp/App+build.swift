import Foundation
import GavelCore
import Hummingbird
import HummingbirdCore
import JWTKit
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// The running service: the Hummingbird application plus the services that must hear about
/// shutdown before it does.
public struct GavelService: Sendable {
    public typealias App = Application<RouterResponder<AppRequestContext>>

    public let application: App
    public let routes: RouteTable
    public let store: Store
    let auctions: AuctionService
    let drain: DrainService
    let logger: Logger

    /// Runs until SIGTERM or SIGINT, then drains: readiness turns 503 and live streams end
    /// first, then the server stops accepting and finishes in-flight requests, then storage.
    public func run() async throws {
        try await serviceGroup(signals: [.sigterm, .sigint]).run()
    }

    /// The drain service comes last so that it hears about shutdown first.
    func serviceGroup(signals: [UnixSignal]) -> ServiceGroup {
        ServiceGroup(
            configuration: .init(
                services: [.init(service: application), .init(service: drain)],
                gracefulShutdownSignals: signals,
                logger: logger))
    }
}

/// The composition root: every dependency is built here and nowhere else.
///
/// - Parameter now: the clock identity decisions use (lockouts, token lifetimes); tests move it.
public func buildApplication(
    config: AppConfig, logger: Logger, metrics: MetricsRegistry = MetricsRegistry(),
    now: @escaping @Sendable () -> Date = { Date() }
) async throws -> GavelService {
    if config.auth.jwtSecretGenerated {
        logger.warning(
            "auth.jwt_secret is empty: using a random secret; tokens will not survive a restart. Set GAVEL_AUTH_JWT_SECRET.")
    }
    let store = try Store.open(config.database, metrics: metrics, logger: logger)
    let lifecycle = LifecycleState()
    let routes = RouteTable()
    let keys = await TokenVerifier.keys(secret: config.auth.jwtSecret)
    let verifier = TokenVerifier(keys: keys, issuer: config.auth.issuer, audience: config.auth.audience, now: now)

    // HEAD on every GET route: the GET handler's status and headers (Content-Length, ETag), no body.
    let router = Router(context: AppRequestContext.self, options: .autoGenerateHeadEndpoints)
    router.add(middleware: RequestIdentityMiddleware())
    router.add(middleware: ObservabilityMiddleware(metrics: HTTPMetrics(metrics)))
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: ProblemMiddleware(routes: routes))
    router.add(
        middleware: RequestLimitsMiddleware(
            maxBodyBytes: config.server.maxBodyBytes, timeout: config.server.requestTimeout, selfTimed: ItemController.selfTimed))
    router.add(middleware: BearerMiddleware(verifier: verifier))

    OperationalController(
        store: store, lifecycle: lifecycle, metrics: metrics,
        processMetrics: ProcessMetrics(metrics, version: GavelVersion.current), metricsEnabled: config.metricsEnabled
    ).addRoutes(to: router, table: routes)
    let products = ProductService(
        repository: try await SQLiteProductRepository(store: store), defaultCurrency: config.auctions.defaultCurrency)
    ProductController(service: products, representations: RepresentationCache(), maxBodyBytes: config.server.maxBodyBytes)
        .addRoutes(to: router, table: routes)
    EventController(store: store, heartbeat: .seconds(15)).addRoutes(to: router, table: routes)
    IdentityController(service: identityService(config, store: store, keys: keys, metrics: metrics, now: now), maxBodyBytes: config.server.maxBodyBytes)
        .addRoutes(to: router, table: routes)
    let auctions = try await auctionService(config, store: store, metrics: metrics, logger: logger, now: now)
    ItemController(service: auctions, maxBodyBytes: config.server.maxBodyBytes, heartbeat: .seconds(15))
        .addRoutes(to: router, table: routes)
    WebController().addRoutes(to: router, table: routes)

    let application = Application(
        router: router,
        server: .http1(configuration: .init(idleTimeout: .seconds(Int64(config.server.idleTimeout.seconds)))),
        configuration: ApplicationConfiguration(
            address: .hostname(config.server.host, port: config.server.port),
            serverName: nil,
            availableConnectionsDelegate: MaximumAvailableConnections(config.server.maxConnections)),
        // Stopped after the server (reverse order): in-flight bids get their verdicts first.
        services: [auctions.engine, auctions.closer],
        logger: logger)
    return GavelService(
        application: application, routes: routes, store: store, auctions: auctions,
        drain: DrainService(lifecycle: lifecycle, feed: store.feed, engine: auctions.engine), logger: logger)
}

public enum GavelVersion {
    public static let current = "0.1.0"
}

private func identityService(
    _ config: AppConfig, store: Store, keys: JWTKeyCollection, metrics: MetricsRegistry, now: @escaping @Sendable () -> Date
) -> IdentityService {
    let repository = IdentityRepository(store: store)
    let identityMetrics = IdentityMetrics(metrics)
    return IdentityService(
        repository: repository,
        hasher: PasswordHasher(cost: config.auth.bcryptCost, concurrency: Processors.available),
        tokens: TokenIssuer(
            keys: keys, issuer: config.auth.issuer, audience: config.auth.audience,
            accessLifetime: config.auth.accessTokenTTL.seconds),
        throttle: LoginThrottle(
            repository: repository, accountLimit: config.auth.loginMaxFailures, addressLimit: config.auth.addressMaxFailures,
            window: config.auth.loginLockout.seconds, metrics: identityMetrics),
        metrics: identityMetrics,
        refreshLifetime: config.auth.refreshTokenTTL.seconds,
        totpIssuer: config.auth.totpIssuer,
        now: now)
}

private func auctionService(
    _ config: AppConfig, store: Store, metrics: MetricsRegistry, logger: Logger, now clock: @escaping @Sendable () -> Date
) async throws -> AuctionService {
    // Auctions keep time in whole milliseconds, as they store it: a bid's time, an item's start
    // and end and the closer's clock are compared in one unit. A raw reading could sit just
    // below the millisecond the same reading is stored as, and a bid placed at an item's start
    // was then refused as not started.
    let now: @Sendable () -> Date = { Timestamp.truncated(clock()) }
    let (items, bids) = try await store.read("item.load_all", ItemRecords.loadAll)
    let catalog = ItemCatalog(items, bids: bids)
    let auctionMetrics = AuctionMetrics(metrics)
    let rearm = Mutex<(@Sendable () -> Void)?>(nil)
    let applier = BatchApplier(
        store: store, catalog: catalog, metrics: auctionMetrics, logger: logger,
        onTransition: { rearm.withLock { $0 }?() })
    let engine = BidEngine(
        workers: config.auctions.workers, queueCapacity: config.auctions.queueCapacity, applier: applier,
        metrics: auctionMetrics)
    let closer = AuctionCloser(catalog: catalog, engine: engine, now: now, logger: logger)
    rearm.withLock { $0 = { [weak closer] in closer?.rearm() } }
    return AuctionService(
        store: store, catalog: catalog, engine: engine, closer: closer,
        defaults: AuctionDefaults(
            currency: config.auctions.defaultCurrency, extensionThreshold: config.auctions.extensionThreshold.seconds,
            extensionDuration: config.auctions.extensionDuration.seconds, maxExtension: config.auctions.maxExtension.seconds,
            maxDuration: config.auctions.maxDuration.seconds),
        now: now)
}
