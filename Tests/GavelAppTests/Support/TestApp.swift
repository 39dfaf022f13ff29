import Foundation
import GavelCore
import Hummingbird
import HummingbirdTesting
import JWTKit
import Logging
import NIOCore
import Testing

@testable import GavelApp

/// Builds applications for tests from an in-memory configuration.
enum TestApp {
    // 64 bytes: long enough to sign HS512 test tokens, which must still be refused.
    static let secret = String(repeating: "test-secret-0123456789abcdef-", count: 3)

    static func config(
        database: String = ":memory:", environment: [String: String] = [:], _ adjust: (inout AppConfig) -> Void = { _ in }
    ) async throws -> AppConfig {
        var env = [
            "GAVEL_DATABASE_SQLITE_PATH": database, "GAVEL_AUTH_JWT_SECRET": secret, "GAVEL_LOG_LEVEL": "critical",
            "GAVEL_AUTH_BCRYPT_COST": "4",
        ]
        env.merge(environment) { _, new in new }
        var config = try await AppConfig.load(file: nil, environment: env)
        adjust(&config)
        return config
    }

    static var logger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }

    /// Builds the app and runs `body` against it through the router (no sockets).
    @discardableResult
    static func withRouter<Value: Sendable>(
        _ config: AppConfig? = nil, metrics: MetricsRegistry = MetricsRegistry(),
        _ body: @Sendable (any TestClientProtocol) async throws -> Value
    ) async throws -> Value {
        let resolved = if let config { config } else { try await self.config() }
        let service = try await buildApplication(config: resolved, logger: logger, metrics: metrics)
        return try await service.application.test(.router, body)
    }

    /// Mints an access token as the identity capability will: HS256 with the configured secret.
    /// Valid from ten minutes ago: a `TestClock` starts at the real time and stands still, so
    /// on a loaded machine a test's clock can fall seconds behind the time its token was minted.
    static func token(
        for user: UUID = UUID(), secret: String = secret, issuer: String = "gavel", audience: String = "gavel",
        type: String = "access", expiresIn: TimeInterval = 900, notBefore: Date = Date().addingTimeInterval(-600),
        digest: DigestAlgorithm = .sha256
    ) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: digest)
        let now = Date()
        let claims = TokenClaims(
            iss: .init(value: issuer), aud: .init(value: [audience]), sub: .init(value: user.text),
            exp: .init(value: now.addingTimeInterval(expiresIn)), iat: .init(value: now), nbf: .init(value: notBefore),
            jti: .init(value: UUID().text), typ: type, amr: ["pwd"])
        return try await keys.sign(claims)
    }
}

/// A caller with an identity and its bearer token.
struct TestUser: Sendable {
    let id: UUID
    let token: String

    static func make() async throws -> TestUser {
        let id = Identifier.make()
        return TestUser(id: id, token: try await TestApp.token(for: id))
    }

    var authorization: HTTPFields { [.authorization: "Bearer \(token)"] }
}

extension HTTPFields {
    static let json: HTTPFields = [.contentType: "application/json"]

    static func + (lhs: HTTPFields, rhs: HTTPFields) -> HTTPFields {
        var merged = lhs
        for field in rhs { merged[field.name] = field.value }
        return merged
    }
}

extension TestResponse {
    /// The body as a JSON object; fails the test when it is not one.
    func object(sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(body.readableBytesView))
        return try #require(value as? [String: Any], sourceLocation: sourceLocation)
    }

    var text: String { String(buffer: body) }

    /// The `code` of a problem response, after checking its media type.
    func problemCode(sourceLocation: SourceLocation = #_sourceLocation) throws -> String? {
        #expect(headers[.contentType] == "application/problem+json", sourceLocation: sourceLocation)
        return try object(sourceLocation: sourceLocation)["code"] as? String
    }
}

extension TestClientProtocol {
    func post(_ uri: String, json: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        try await execute(uri: uri, method: .post, headers: .json + headers, body: ByteBuffer(string: json))
    }

    @discardableResult
    func createProduct(
        _ user: TestUser, name: String = "Lamp \(UUID().uuidString.prefix(8))", price: Int = 1_500, extra: String = ""
    ) async throws -> [String: Any] {
        let response = try await post(
            "/api/v1/products", json: #"{"name": "\#(name)", "price": \#(price)\#(extra)}"#, headers: user.authorization)
        #expect(response.status == .created, "\(response.text)")
        return try response.object()
    }
}
