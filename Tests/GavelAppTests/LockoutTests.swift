import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import GavelApp

@Suite("Identity: brute-force protection")
struct LockoutTests {
    @Test("after login_max_failures wrong passwords the account is locked with 429, even for the right one")
    func accountLockout() async throws {
        let bench = try await IdentityBench()
        try await bench.run { client in
            try await client.register("lock@example.com")
            for _ in 0..<5 {
                #expect(try await client.login("lock@example.com", password: "wrong password!").status == .unauthorized)
            }
            let locked = try await client.login("lock@example.com")
            #expect(locked.status == .tooManyRequests)
            #expect(try locked.problemCode() == "identity.locked")
            #expect(locked.headers[.retryAfter] == "900")
        }
    }

    @Test("the lockout ends when its window passes")
    func lockoutExpires() async throws {
        let bench = try await IdentityBench()
        try await bench.run { client in
            try await client.register("exp2@example.com")
            for _ in 0..<5 { _ = try await client.login("exp2@example.com", password: "wrong password!") }
            bench.clock.advance(600)
            let stillLocked = try await client.login("exp2@example.com")
            #expect(stillLocked.status == .tooManyRequests)
            #expect(stillLocked.headers[.retryAfter] == "300")
            bench.clock.advance(301)
            #expect(try await client.login("exp2@example.com").status == .ok)
        }
    }

    @Test("failures spread beyond the window do not add up")
    func windowResets() async throws {
        let bench = try await IdentityBench()
        try await bench.run { client in
            try await client.register("slow@example.com")
            for _ in 0..<8 {
                _ = try await client.login("slow@example.com", password: "wrong password!")
                bench.clock.advance(300)
            }
            #expect(try await client.login("slow@example.com").status == .ok)
        }
    }

    @Test("a lockout survives a restart")
    func survivesRestart() async throws {
        let path = StorageTests.temporaryDatabase()
        let clock = TestClock()
        try await IdentityBench(database: path, clock: clock).run { client in
            try await client.register("persist@example.com")
            for _ in 0..<5 { _ = try await client.login("persist@example.com", password: "wrong password!") }
        }
        try await IdentityBench(database: path, clock: clock).run { client in
            let login = try await client.login("persist@example.com")
            #expect(login.status == .tooManyRequests)
        }
    }

    @Test("many failures from one address lock that address for every account, past a much higher limit")
    func addressLockout() async throws {
        let bench = try await IdentityBench(environment: ["GAVEL_AUTH_ADDRESS_MAX_FAILURES": "12"])
        try await bench.run { client in
            try await client.register("victim@example.com")
            for index in 0..<12 {
                _ = try await client.login("user\(index % 4)@example.com", password: "wrong password!")
            }
            let response = try await client.login("victim@example.com")
            #expect(response.status == .tooManyRequests)
        }
    }

    @Test("wrong codes count towards the account lockout")
    func codesCount() async throws {
        let bench = try await IdentityBench()
        try await bench.run { client in
            let token = try await client.signUp("codes@example.com")
            let (secret, _) = try await client.enableTwoFactor(token: token, bench: bench)
            bench.clock.advance(30)
            for _ in 0..<5 {
                _ = try await client.authorized("/api/v1/identity/2fa/recovery-codes", token: token, json: #"{"code": "000000"}"#)
            }
            let locked = try await client.authorized(
                "/api/v1/identity/2fa/recovery-codes", token: token, json: #"{"code": "\#(try bench.code(secret))"}"#)
            #expect(locked.status == .tooManyRequests)
        }
    }

    @Test("a right password does not clear the wrong codes before it: the second factor's guesses add up")
    func passwordKeepsCodeFailures() async throws {
        let bench = try await IdentityBench()
        try await bench.run { client in
            let token = try await client.signUp("halfway@example.com")
            _ = try await client.enableTwoFactor(token: token, bench: bench)
            bench.clock.advance(30)
            // Three wrong codes, then a new challenge (right password) and two more: five failures.
            for wrong in [3, 2] {
                let challenge = try await client.login("halfway@example.com")
                #expect(challenge.status == .ok)
                let challengeToken = try #require(try challenge.object()["challenge_token"] as? String)
                for _ in 0..<wrong {
                    let answer = try await client.post(
                        "/api/v1/identity/2fa/challenge", json: #"{"challenge_token": "\#(challengeToken)", "code": "000000"}"#)
                    #expect(answer.status == .unauthorized)
                }
            }
            let locked = try await client.login("halfway@example.com")
            #expect(locked.status == .tooManyRequests)
            #expect(try locked.problemCode() == "identity.locked")
        }
    }

    @Test("concurrent wrong passwords cannot all be checked while the count is under the limit")
    func concurrentPasswords() async throws {
        let bench = try await IdentityBench()
        try await bench.run { client in
            try await client.register("race@example.com")
            let statuses = try await Self.concurrently(20) { try await client.login("race@example.com", password: "wrong password!").status }
            #expect(statuses.filter { $0 == .unauthorized }.count == 5)
            #expect(statuses.filter { $0 == .tooManyRequests }.count == 15)
        }
    }

    @Test("concurrent right passwords past the limit all sign in: attempts in flight wait, they are not refused")
    func concurrentRightPasswords() async throws {
        let bench = try await IdentityBench()
        try await bench.run { client in
            try await client.register("devices@example.com")
            let statuses = try await Self.concurrently(12) { try await client.login("devices@example.com").status }
            #expect(statuses == Array(repeating: .ok, count: 12))
            // Nothing stays counted: five wrong passwords still lock, not fewer.
            for _ in 0..<4 { #expect(try await client.login("devices@example.com", password: "wrong password!").status == .unauthorized) }
            #expect(try await client.login("devices@example.com").status == .ok)
        }
    }

    @Test("right and wrong passwords racing: a right one is never refused as wrong, a wrong one never passes")
    func mixedConcurrentPasswords() async throws {
        let bench = try await IdentityBench()
        try await bench.run { client in
            try await client.register("mixed@example.com")
            let statuses = try await Self.concurrently(24) { () -> (Bool, HTTPResponse.Status) in
                let right = Bool.random()
                let status = try await (right ? client.login("mixed@example.com") : client.login("mixed@example.com", password: "wrong password!")).status
                return (right, status)
            }
            #expect(statuses.allSatisfy { [.ok, .unauthorized, .tooManyRequests].contains($0.1) })
            #expect(!statuses.contains { $0.0 && $0.1 == .unauthorized })
            #expect(!statuses.contains { !$0.0 && $0.1 == .ok })
        }
    }

    @Test("an attempt waiting behind a full count ends with its request: cancelled, it counts nothing")
    func waitingAttemptCancelled() async throws {
        let config = try await TestApp.config(database: ":memory:")
        let store = try Store.open(config.database, metrics: MetricsRegistry(enabled: false), logger: TestApp.logger)
        let repository = IdentityRepository(store: store)
        let throttle = LoginThrottle(
            repository: repository, accountLimit: 1, addressLimit: 10, window: 900,
            metrics: IdentityMetrics(MetricsRegistry(enabled: false)))
        let account = UUID(), now = Date()
        let (judging, release) = AsyncStream<Void>.makeStream()
        let first = Task {
            try await throttle.attempt(account: account, address: "10.0.0.1", now: now) { () -> Bool? in
                for await _ in judging { break }
                return true
            }
        }
        while repository.attemptsInFlight == 0 { await Task.yield() }
        let waiting = Task { try await throttle.attempt(account: account, address: "10.0.0.1", now: now) { true } }
        try await Task.sleep(for: .milliseconds(50))
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }
        #expect(repository.attemptsInFlight == 1)
        release.yield()
        #expect(try await first.value == true)
        #expect(repository.attemptsInFlight == 0)
        #expect(try await throttle.attempt(account: account, address: "10.0.0.1", now: now) { true } == true)
    }

    @Test("concurrent wrong codes cannot all be checked against one challenge")
    func concurrentCodes() async throws {
        let bench = try await IdentityBench(environment: ["GAVEL_AUTH_LOGIN_MAX_FAILURES": "50"])
        try await bench.run { client in
            let token = try await client.signUp("guess@example.com")
            _ = try await client.enableTwoFactor(token: token, bench: bench)
            bench.clock.advance(30)
            let challenge = try #require(try await client.login("guess@example.com").object()["challenge_token"] as? String)
            let statuses = try await Self.concurrently(12) {
                try await client.post("/api/v1/identity/2fa/challenge", json: #"{"challenge_token": "\#(challenge)", "code": "000000"}"#).status
            }
            #expect(statuses.filter { $0 == .unauthorized }.count == IdentityService.challengeMaxFailures)
            #expect(statuses.filter { $0 == .tooManyRequests }.count == 12 - IdentityService.challengeMaxFailures)
        }
    }

    @Test("an attempt that could not be judged (the hasher busy, a database error) is taken back, not counted")
    func unjudgedAttempts() async throws {
        struct Busy: Error {}
        let config = try await TestApp.config(database: ":memory:")
        let store = try Store.open(config.database, metrics: MetricsRegistry(enabled: false), logger: TestApp.logger)
        let throttle = LoginThrottle(
            repository: IdentityRepository(store: store), accountLimit: 3, addressLimit: 10, window: 900,
            metrics: IdentityMetrics(MetricsRegistry(enabled: false)))
        let account = UUID(), now = Date()
        for _ in 0..<5 {
            await #expect(throws: Busy.self) {
                try await throttle.attempt(account: account, address: "10.0.0.1", now: now) { () -> Bool? in throw Busy() }
            }
        }
        for _ in 0..<3 { #expect(try await throttle.attempt(account: account, address: "10.0.0.1", now: now) { nil as Bool? } == nil) }
        await #expect(throws: Problem.self) {
            try await throttle.attempt(account: account, address: "10.0.0.1", now: now) { true }
        }
    }

    /// The results of `count` concurrent runs of `body`.
    static func concurrently<Value: Sendable>(_ count: Int, _ body: @escaping @Sendable () async throws -> Value) async throws -> [Value] {
        try await withThrowingTaskGroup(of: Value.self) { group in
            for _ in 0..<count { group.addTask(operation: body) }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    @Test("identity metrics count logins, second factors and rate limiting")
    func metrics() async throws {
        let bench = try await IdentityBench()
        try await bench.run { client in
            try await client.register("m@example.com")
            _ = try await client.login("m@example.com")
            _ = try await client.login("m@example.com", password: "wrong password!")
            let text = try await client.execute(uri: "/metrics", method: .get).text
            #expect(text.contains(#"gavel_logins_total{result="success"} 1"#))
            #expect(text.contains(#"gavel_logins_total{result="invalid"} 1"#))
            #expect(text.contains(#"gavel_logins_total{result="challenge"} 0"#))
            #expect(text.contains("gavel_users_registered_total 1"))
            #expect(text.contains(#"gavel_rate_limited_total{scope="account"} 0"#))
            #expect(text.contains(#"gavel_two_factor_total{result="success"} 0"#))
        }
    }
}
