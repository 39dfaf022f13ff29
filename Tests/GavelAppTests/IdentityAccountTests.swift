import Foundation
import HTTPTypes
import HummingbirdTesting
import JWTKit
import NIOCore
import Testing

@testable import GavelApp

@Suite("Identity: accounts and sessions")
struct IdentityAccountTests {
    @Test("registering returns the account, normalised, without the password")
    func registers() async throws {
        try await IdentityBench().run { client in
            let response = try await client.register("  Ada@Example.COM ", name: "  Ada Lovelace ")
            #expect(response.status == .created)
            #expect(response.headers[.location] == "/api/v1/identity/me")
            let body = try response.object()
            #expect(body["email"] as? String == "ada@example.com")
            #expect(body["name"] as? String == "Ada Lovelace")
            #expect(Set(body.keys) == ["id", "email", "name", "created_at"])
            #expect(!response.text.contains("horse"))
            let feed = try await client.execute(uri: "/api/v1/events", method: .get)
            let events = try #require(try feed.object()["data"] as? [[String: Any]])
            #expect(events.last?["event"] as? String == "identity.user.registered")
            #expect(!feed.text.contains("password"))
            // The feed is public: it names the account, not its email address.
            let payload = try #require(events.last?["payload"] as? [String: Any])
            #expect(Set(payload.keys) == ["id", "name", "created_at"])
            #expect(!feed.text.contains("ada@example.com"))
        }
    }

    @Test("an email is taken regardless of letter case")
    func emailTaken() async throws {
        try await IdentityBench().run { client in
            try await client.register("grace@example.com")
            let again = try await client.register("GRACE@example.com")
            #expect(again.status == .conflict)
            #expect(try again.problemCode() == "identity.email_taken")
        }
    }

    @Test("weak passwords, bad emails and empty names are 422 naming every field", arguments: [
        (#"{"email": "a@example.com", "password": "short", "name": "A"}"#, ["password"]),
        (#"{"email": "a@example.com", "password": "password123", "name": "A"}"#, ["password"]),
        (#"{"email": "not-an-email", "password": "correct horse battery", "name": " "}"#, ["email", "name"]),
    ])
    func invalidRegistration(body: String, fields: [String]) async throws {
        try await IdentityBench().run { client in
            let response = try await client.post("/api/v1/identity/register", json: body)
            #expect(response.status == .unprocessableContent)
            let errors = try #require(try response.object()["errors"] as? [[String: String]])
            #expect(Set(errors.compactMap { $0["field"] }) == Set(fields))
            #expect(!response.text.contains("password123"))
        }
    }

    @Test("login returns a bearer access token that works, and a refresh token")
    func loginTokens() async throws {
        try await IdentityBench().run { client in
            try await client.register("lin@example.com")
            let response = try await client.login("LIN@example.com")
            #expect(response.status == .ok)
            #expect(response.headers[.cacheControl] == "no-store")
            let body = try response.object()
            #expect(body["token_type"] as? String == "Bearer")
            #expect(body["expires_in"] as? Int == 900)
            let access = try #require(body["access_token"] as? String)
            #expect((body["refresh_token"] as? String)?.count ?? 0 >= 43)
            let me = try await client.authorized("/api/v1/identity/me", token: access, method: .get)
            #expect(me.status == .ok)
            #expect(try me.object()["email"] as? String == "lin@example.com")
            #expect(try me.object()["two_factor_enabled"] as? Bool == false)
        }
    }

    @Test("a token works within the second it was issued in", arguments: [0.001, 0.5, 0.999])
    func sameSecond(fraction: Double) async throws {
        let second = Date().timeIntervalSince1970.rounded(.down)
        try await IdentityBench(clock: TestClock(Date(timeIntervalSince1970: second + fraction))).run { client in
            let token = try await client.signUp("second@example.com")
            let me = try await client.authorized("/api/v1/identity/me", token: token, method: .get)
            #expect(me.status == .ok)
        }
    }

    @Test("the access token carries the pinned claims and amr")
    func accessClaims() async throws {
        try await IdentityBench().run { client in
            let token = try await client.signUp("claims@example.com")
            let keys = await TokenVerifier.keys(secret: TestApp.secret)
            let claims = try await keys.verify(token, as: TokenClaims.self)
            #expect(claims.iss.value == "gavel")
            #expect(claims.aud.value == ["gavel"])
            #expect(claims.typ == "access")
            #expect(claims.amr == ["pwd"])
            #expect(!claims.jti.value.isEmpty)
        }
    }

    @Test("a wrong password and an unknown email get the same 401")
    func invalidCredentials() async throws {
        try await IdentityBench().run { client in
            try await client.register("mo@example.com")
            let wrong = try await client.login("mo@example.com", password: "wrong password here")
            let unknown = try await client.login("nobody@example.com")
            #expect(wrong.status == .unauthorized && unknown.status == .unauthorized)
            #expect(wrong.text == unknown.text)
            #expect(try wrong.problemCode() == "identity.invalid_credentials")
        }
    }

    @Test("refresh rotates the token; the old one no longer works")
    func refreshRotates() async throws {
        try await IdentityBench().run { client in
            try await client.register("rot@example.com")
            let first = try #require(try await client.login("rot@example.com").object()["refresh_token"] as? String)
            let rotated = try await client.post("/api/v1/identity/token/refresh", json: #"{"refresh_token": "\#(first)"}"#)
            #expect(rotated.status == .ok)
            let second = try #require(try rotated.object()["refresh_token"] as? String)
            #expect(second != first)
            let again = try await client.post("/api/v1/identity/token/refresh", json: #"{"refresh_token": "\#(second)"}"#)
            #expect(again.status == .ok)
        }
    }

    @Test("presenting a rotated refresh token revokes the whole family")
    func reuseRevokesFamily() async throws {
        try await IdentityBench().run { client in
            try await client.register("reuse@example.com")
            let first = try #require(try await client.login("reuse@example.com").object()["refresh_token"] as? String)
            let second = try #require(
                try await client.post("/api/v1/identity/token/refresh", json: #"{"refresh_token": "\#(first)"}"#).object()["refresh_token"] as? String)
            let replay = try await client.post("/api/v1/identity/token/refresh", json: #"{"refresh_token": "\#(first)"}"#)
            #expect(replay.status == .unauthorized)
            #expect(try replay.problemCode() == "identity.refresh_token_reused")
            let afterward = try await client.post("/api/v1/identity/token/refresh", json: #"{"refresh_token": "\#(second)"}"#)
            #expect(afterward.status == .unauthorized)
        }
    }

    @Test("an expired or unknown refresh token is 401")
    func refreshExpiry() async throws {
        let bench = try await IdentityBench()
        try await bench.run { client in
            try await client.register("exp@example.com")
            let token = try #require(try await client.login("exp@example.com").object()["refresh_token"] as? String)
            bench.clock.advance(31 * 86_400)
            let expired = try await client.post("/api/v1/identity/token/refresh", json: #"{"refresh_token": "\#(token)"}"#)
            #expect(expired.status == .unauthorized)
            #expect(try expired.problemCode() == "identity.invalid_refresh_token")
            let unknown = try await client.post("/api/v1/identity/token/refresh", json: #"{"refresh_token": "nope"}"#)
            #expect(unknown.status == .unauthorized)
        }
    }

    @Test("logout ends the session: its refresh token stops working")
    func logout() async throws {
        try await IdentityBench().run { client in
            try await client.register("out@example.com")
            let login = try await client.login("out@example.com").object()
            let access = try #require(login["access_token"] as? String)
            let refresh = try #require(login["refresh_token"] as? String)
            let response = try await client.authorized("/api/v1/identity/logout", token: access, json: #"{"refresh_token": "\#(refresh)"}"#)
            #expect(response.status == .noContent)
            let after = try await client.post("/api/v1/identity/token/refresh", json: #"{"refresh_token": "\#(refresh)"}"#)
            #expect(after.status == .unauthorized)
        }
    }

    @Test("logout and /me need a bearer token")
    func needsBearer() async throws {
        try await IdentityBench().run { client in
            #expect(try await client.execute(uri: "/api/v1/identity/me", method: .get).status == .unauthorized)
            let logout = try await client.post("/api/v1/identity/logout", json: #"{"refresh_token": "x"}"#)
            #expect(logout.status == .unauthorized)
        }
    }

    @Test("a password hashed at another cost is rehashed at login")
    func rehash() async throws {
        let path = StorageTests.temporaryDatabase()
        try await IdentityBench(database: path).run { client in try await client.register("cost@example.com") }
        let stronger = try await IdentityBench(database: path, environment: ["GAVEL_AUTH_BCRYPT_COST": "5"])
        try await stronger.run { client in
            let login = try await client.login("cost@example.com")
            #expect(login.status == .ok)
        }
        let store = try Store.open(stronger.config.database, metrics: MetricsRegistry(enabled: false), logger: TestApp.logger)
        let account = try await IdentityRepository(store: store).account(email: "cost@example.com")
        #expect(account?.passwordHash.hasPrefix("$2b$05$") == true || account?.passwordHash.hasPrefix("$2y$05$") == true)
    }

    @Test("when the hashing queue is full, password work is refused with 503 instead of queueing")
    func hasherSaturation() async throws {
        let hasher = PasswordHasher(cost: 4, concurrency: 1, maxWaiting: 0)
        let (released, release) = AsyncStream<Void>.makeStream()
        let (held, hold) = AsyncStream<Void>.makeStream()
        let holder = Task { try await hasher.gate.withSlot("hold") { hold.yield(); for await _ in released { break } } }
        for await _ in held { break }
        await #expect(throws: StorageError.overloaded) { try await hasher.hash("another password") }
        release.finish()
        try await holder.value
        #expect(try await hasher.verify("another password", against: try await hasher.hash("another password")))
    }
}
