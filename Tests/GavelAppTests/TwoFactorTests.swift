import Foundation
import GavelCore
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import GavelApp

@Suite("Identity: two-factor authentication")
struct TwoFactorTests {
    func challenge(_ client: any TestClientProtocol, _ email: String) async throws -> String {
        let response = try await client.login(email)
        let body = try response.object()
        #expect(body["two_factor_required"] as? Bool == true)
        #expect(body["access_token"] == nil)
        #expect(body["expires_in"] as? Int == 300)
        return try #require(body["challenge_token"] as? String)
    }

    func answer(_ client: any TestClientProtocol, _ token: String, code: String? = nil, recovery: String? = nil) async throws -> TestResponse {
        let member = code.map { #""code": "\#($0)""# } ?? #""recovery_code": "\#(recovery ?? "")""#
        return try await client.post("/api/v1/identity/2fa/challenge", json: #"{"challenge_token": "\#(token)", \#(member)}"#)
    }

    @Test("enrolment: enable gives a secret and an otpauth URI, and 2FA is active only after verify")
    func enrolment() async throws {
        let bench = try await IdentityBench()
        try await bench.run { client in
            let token = try await client.signUp("tfa@example.com")
            let enable = try await client.authorized("/api/v1/identity/2fa/enable", token: token, json: #"{"password": "correct horse battery"}"#)
            let body = try enable.object()
            let secret = try #require(body["secret"] as? String)
            #expect(Base32.decode(secret)?.count == 20)
            let uri = try #require(body["otpauth_url"] as? String)
            #expect(uri.hasPrefix("otpauth://totp/Gavel:tfa%40example.com?secret=\(secret)") || uri.hasPrefix("otpauth://totp/Gavel:tfa@example.com?secret=\(secret)"))
            #expect(enable.headers[.cacheControl] == "no-store")
            let pending = try await client.authorized("/api/v1/identity/me", token: token, method: .get)
            #expect(try pending.object()["two_factor_enabled"] as? Bool == false)
            #expect(try await client.login("tfa@example.com").object()["access_token"] != nil)

            let wrong = try await client.authorized("/api/v1/identity/2fa/verify", token: token, json: #"{"code": "000000"}"#)
            #expect(wrong.status == .forbidden)
            let verify = try await client.authorized("/api/v1/identity/2fa/verify", token: token, json: #"{"code": "\#(try bench.code(secret))"}"#)
            let codes = try #require(try verify.object()["recovery_codes"] as? [String])
            #expect(codes.count == 10 && Set(codes).count == 10)
            let active = try await client.authorized("/api/v1/identity/me", token: token, method: .get)
            #expect(try active.object()["two_factor_enabled"] as? Bool == true)
        }
    }

    @Test("enabling needs the right password and is refused when 2FA is already on")
    func enableChecks() async throws {
        let bench = try await IdentityBench()
        try await bench.run { client in
            let token = try await client.signUp("chk@example.com")
            let wrong = try await client.authorized("/api/v1/identity/2fa/enable", token: token, json: #"{"password": "not the password"}"#)
            #expect(wrong.status == .forbidden)
            #expect(try wrong.problemCode() == "identity.invalid_password")
            _ = try await client.enableTwoFactor(token: token, bench: bench)
            let again = try await client.authorized("/api/v1/identity/2fa/enable", token: token, json: #"{"password": "correct horse battery"}"#)
            #expect(again.status == .conflict)
        }
    }

    @Test("with 2FA on, login needs the challenge; a current code completes it with amr otp")
    func loginWithCode() async throws {
        let bench = try await IdentityBench()
        try await bench.run { client in
            let token = try await client.signUp("otp@example.com")
            let (secret, _) = try await client.enableTwoFactor(token: token, bench: bench)
            bench.clock.advance(60)
            let challenge = try await challenge(client, "otp@example.com")
            let response = try await answer(client, challenge, code: try bench.code(secret))
            #expect(response.status == .ok)
            let access = try #require(try response.object()["access_token"] as? String)
            let claims = try await TokenVerifier.keys(secret: TestApp.secret).verify(access, as: TokenClaims.self)
            #expect(claims.amr == ["pwd", "otp"])
            let reuse = try await answer(client, challenge, code: try bench.code(secret))
            #expect(reuse.status == .unauthorized)
            #expect(try reuse.problemCode() == "identity.invalid_challenge")
        }
    }

    @Test("the challenge token is not a bearer token")
    func challengeIsNotBearer() async throws {
        let bench = try await IdentityBench()
        try await bench.run { client in
            let token = try await client.signUp("nb@example.com")
            _ = try await client.enableTwoFactor(token: token, bench: bench)
            let challenge = try await challenge(client, "nb@example.com")
            let me = try await client.authorized("/api/v1/identity/me", token: challenge, method: .get)
            #expect(me.status == .unauthorized)
            let create = try await client.authorized("/api/v1/products", token: challenge, json: #"{"name": "x", "price": 1}"#)
            #expect(create.status == .unauthorized)
        }
    }

    @Test("codes one step old or ahead are accepted; two steps away are not", arguments: [(-1, true), (1, true), (-2, false), (2, false)])
    func skew(steps: Int64, accepted: Bool) async throws {
        let bench = try await IdentityBench()
        try await bench.run { client in
            let token = try await client.signUp("skew@example.com")
            let (secret, _) = try await client.enableTwoFactor(token: token, bench: bench)
            bench.clock.advance(300)
            let challenge = try await challenge(client, "skew@example.com")
            let response = try await answer(client, challenge, code: try bench.code(secret, steps: steps))
            #expect((response.status == .ok) == accepted)
        }
    }

    @Test("a code whose step was already accepted is a replay and is refused")
    func replay() async throws {
        let bench = try await IdentityBench()
        try await bench.run { client in
            let token = try await client.signUp("replay@example.com")
            let (secret, _) = try await client.enableTwoFactor(token: token, bench: bench)
            // The enrolment code's step is used: the same code cannot log in.
            let first = try await answer(client, try await challenge(client, "replay@example.com"), code: try bench.code(secret))
            #expect(first.status == .unauthorized)
            bench.clock.advance(30)
            let code = try bench.code(secret)
            #expect(try await answer(client, try await challenge(client, "replay@example.com"), code: code).status == .ok)
            #expect(try await answer(client, try await challenge(client, "replay@example.com"), code: code).status == .unauthorized)
        }
    }

    @Test("each challenge answer counts once in gavel_two_factor_total, under its own result")
    func countsEachAttemptOnce() async throws {
        let bench = try await IdentityBench()
        try await bench.run { client in
            func counts() async throws -> [String: Int] {
                let text = try await client.execute(uri: "/metrics", method: .get).text
                var counts: [String: Int] = [:]
                for line in text.split(separator: "\n") where line.hasPrefix("gavel_two_factor_total{result=\"") {
                    let result = line.dropFirst("gavel_two_factor_total{result=\"".count).prefix { $0 != "\"" }
                    counts[String(result)] = Int(line.split(separator: " ").last ?? "")
                }
                return counts
            }
            let token = try await client.signUp("count@example.com")
            let (secret, recovery) = try await client.enableTwoFactor(token: token, bench: bench)
            let start = try await counts()
            // The enrolment code again: a replay, not also "invalid".
            #expect(try await answer(client, try await challenge(client, "count@example.com"), code: try bench.code(secret)).status == .unauthorized)
            #expect(try await answer(client, try await challenge(client, "count@example.com"), code: "000000").status == .unauthorized)
            #expect(try await answer(client, try await challenge(client, "count@example.com"), recovery: recovery[0]).status == .ok)
            bench.clock.advance(30)
            #expect(try await answer(client, try await challenge(client, "count@example.com"), code: try bench.code(secret)).status == .ok)
            let end = try await counts()
            for (result, added) in ["replay": 1, "invalid": 1, "recovery": 1, "success": 1, "locked": 0] {
                #expect((end[result] ?? -1) - (start[result] ?? 0) == added, "\(result)")
            }
        }
    }

    @Test("a recovery code works once, typed with or without its dash")
    func recoveryCode() async throws {
        let bench = try await IdentityBench()
        try await bench.run { client in
            let token = try await client.signUp("rec@example.com")
            let (_, codes) = try await client.enableTwoFactor(token: token, bench: bench)
            let typed = codes[0].replacingOccurrences(of: "-", with: "").uppercased()
            let first = try await answer(client, try await challenge(client, "rec@example.com"), recovery: typed)
            #expect(first.status == .ok)
            let second = try await answer(client, try await challenge(client, "rec@example.com"), recovery: codes[0])
            #expect(second.status == .unauthorized)
            #expect(try await answer(client, try await challenge(client, "rec@example.com"), recovery: codes[1]).status == .ok)
        }
    }

    @Test("new recovery codes invalidate the old set")
    func regenerate() async throws {
        let bench = try await IdentityBench()
        try await bench.run { client in
            let token = try await client.signUp("regen@example.com")
            let (secret, old) = try await client.enableTwoFactor(token: token, bench: bench)
            bench.clock.advance(30)
            let response = try await client.authorized(
                "/api/v1/identity/2fa/recovery-codes", token: token, json: #"{"code": "\#(try bench.code(secret))"}"#)
            let fresh = try #require(try response.object()["recovery_codes"] as? [String])
            #expect(fresh.count == 10 && Set(fresh).isDisjoint(with: old))
            #expect(try await answer(client, try await challenge(client, "regen@example.com"), recovery: old[0]).status == .unauthorized)
            #expect(try await answer(client, try await challenge(client, "regen@example.com"), recovery: fresh[0]).status == .ok)
        }
    }

    @Test("after five wrong codes the challenge is burned with 429")
    func challengeLimit() async throws {
        let bench = try await IdentityBench(environment: ["GAVEL_AUTH_LOGIN_MAX_FAILURES": "50"])
        try await bench.run { client in
            let token = try await client.signUp("five@example.com")
            let (secret, _) = try await client.enableTwoFactor(token: token, bench: bench)
            bench.clock.advance(30)
            let challenge = try await challenge(client, "five@example.com")
            for _ in 0..<5 {
                #expect(try await answer(client, challenge, code: "000000").status == .unauthorized)
            }
            let locked = try await answer(client, challenge, code: try bench.code(secret))
            #expect(locked.status == .tooManyRequests)
            #expect(locked.headers[.retryAfter] != nil)
        }
    }

    @Test("a challenge answer needs exactly one of code and recovery_code")
    func exactlyOneFactor() async throws {
        try await IdentityBench().run { client in
            let both = try await client.post("/api/v1/identity/2fa/challenge", json: #"{"challenge_token": "x", "code": "1", "recovery_code": "2"}"#)
            #expect(both.status == .unprocessableContent)
            let neither = try await client.post("/api/v1/identity/2fa/challenge", json: #"{"challenge_token": "x"}"#)
            #expect(neither.status == .unprocessableContent)
            let forged = try await client.post("/api/v1/identity/2fa/challenge", json: #"{"challenge_token": "x", "code": "123456"}"#)
            #expect(forged.status == .unauthorized)
        }
    }

    @Test("disabling needs the password and a current code, then login needs no challenge")
    func disable() async throws {
        let bench = try await IdentityBench()
        try await bench.run { client in
            let token = try await client.signUp("off@example.com")
            let (secret, codes) = try await client.enableTwoFactor(token: token, bench: bench)
            bench.clock.advance(30)
            let wrongPassword = try await client.authorized(
                "/api/v1/identity/2fa/disable", token: token, json: #"{"password": "nope nope nope", "code": "\#(try bench.code(secret))"}"#)
            #expect(wrongPassword.status == .forbidden)
            let wrongCode = try await client.authorized(
                "/api/v1/identity/2fa/disable", token: token, json: #"{"password": "correct horse battery", "code": "000000"}"#)
            #expect(wrongCode.status == .forbidden)
            let ok = try await client.authorized(
                "/api/v1/identity/2fa/disable", token: token, json: #"{"password": "correct horse battery", "code": "\#(try bench.code(secret))"}"#)
            #expect(ok.status == .noContent)
            #expect(try await client.login("off@example.com").object()["access_token"] != nil)
            #expect(try await answer(client, "x", recovery: codes[0]).status == .unauthorized)
        }
    }
}
