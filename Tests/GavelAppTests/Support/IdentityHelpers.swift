import Foundation
import GavelCore
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

@testable import GavelApp

/// A clock tests move by hand: lockouts and TOTP steps without sleeping.
final class TestClock: Sendable {
    private let current: Mutex<Date>

    /// Starts at the real time, so requests that do not use the clock still agree with it.
    init(_ start: Date = Date()) {
        current = Mutex(start)
    }

    var now: Date { current.withLock { $0 } }

    func advance(_ seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}

/// An identity test bench: an app on a given database with a movable clock.
struct IdentityBench: Sendable {
    let clock: TestClock
    let config: AppConfig

    init(database: String = ":memory:", clock: TestClock = TestClock(), environment: [String: String] = [:]) async throws {
        self.clock = clock
        self.config = try await TestApp.config(database: database, environment: environment)
    }

    @discardableResult
    func run<Value: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        let service = try await buildApplication(config: config, logger: TestApp.logger, now: { [clock] in clock.now })
        return try await service.application.test(.router, body)
    }

    /// The current code of a base32 secret at the bench's time, shifted by `steps`.
    func code(_ secret: String, steps: Int64 = 0) throws -> String {
        let bytes = try #require(Base32.decode(secret))
        return TwoFactorCrypto.totp(bytes).code(step: TOTP.step(at: clock.now) + steps)
    }
}

extension TestClientProtocol {
    static var password: String { "correct horse battery" }

    @discardableResult
    func register(_ email: String, password: String = Self.password, name: String = "Ada") async throws -> TestResponse {
        try await post("/api/v1/identity/register", json: #"{"email": "\#(email)", "password": "\#(password)", "name": "\#(name)"}"#)
    }

    func login(_ email: String, password: String = Self.password) async throws -> TestResponse {
        try await post("/api/v1/identity/login", json: #"{"email": "\#(email)", "password": "\#(password)"}"#)
    }

    /// Registers and logs in; returns the access token.
    func signUp(_ email: String) async throws -> String {
        try await register(email)
        return try #require(try await login(email).object()["access_token"] as? String)
    }

    func authorized(_ path: String, token: String, json: String? = nil, method: HTTPRequest.Method = .post) async throws -> TestResponse {
        var headers: HTTPFields = [.authorization: "Bearer \(token)"]
        if json != nil { headers[.contentType] = "application/json" }
        return try await execute(uri: path, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }

    /// Enables 2FA for the token's user; returns the base32 secret and the recovery codes.
    func enableTwoFactor(token: String, bench: IdentityBench) async throws -> (secret: String, recoveryCodes: [String]) {
        let enable = try await authorized("/api/v1/identity/2fa/enable", token: token, json: #"{"password": "\#(Self.password)"}"#)
        #expect(enable.status == .ok)
        let secret = try #require(try enable.object()["secret"] as? String)
        let verify = try await authorized("/api/v1/identity/2fa/verify", token: token, json: #"{"code": "\#(try bench.code(secret))"}"#)
        #expect(verify.status == .ok)
        let codes = try #require(try verify.object()["recovery_codes"] as? [String])
        return (secret, codes)
    }
}
