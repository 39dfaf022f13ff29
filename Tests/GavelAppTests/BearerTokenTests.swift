import Foundation
import HTTPTypes
import HummingbirdTesting
import JWTKit
import NIOCore
import Synchronization
import Testing

@testable import GavelApp

@Suite("Bearer token boundary")
struct BearerTokenTests {
    static let user = UUID()

    func attempt(_ token: String) async throws -> TestResponse {
        try await TestApp.withRouter { client in
            try await client.post(
                "/api/v1/products", json: #"{"name": "A", "price": 1}"#, headers: [.authorization: "Bearer \(token)"])
        }
    }

    @Test("a valid access token is accepted")
    func valid() async throws {
        #expect(try await attempt(TestApp.token(for: Self.user)).status == .created)
    }

    @Test("tokens that must be refused are 401 invalid_token", arguments: [
        "expired", "not yet valid", "wrong issuer", "wrong audience", "wrong secret", "HS512", "alg none",
        "challenge type", "garbage", "non-uuid subject",
    ])
    func refused(kind: String) async throws {
        let token: String
        switch kind {
        case "expired": token = try await TestApp.token(for: Self.user, expiresIn: -60)
        case "not yet valid": token = try await TestApp.token(for: Self.user, notBefore: Date().addingTimeInterval(600))
        case "wrong issuer": token = try await TestApp.token(for: Self.user, issuer: "evil")
        case "wrong audience": token = try await TestApp.token(for: Self.user, audience: "other")
        case "wrong secret": token = try await TestApp.token(for: Self.user, secret: String(repeating: "z", count: 40))
        case "HS512": token = try await TestApp.token(for: Self.user, digest: .sha512)
        case "challenge type": token = try await TestApp.token(for: Self.user, type: "2fa_challenge")
        case "alg none":
            let valid = try await TestApp.token(for: Self.user)
            let payload = valid.split(separator: ".")[1]
            let header = Data(#"{"alg":"none","typ":"JWT"}"#.utf8).base64EncodedString()
                .replacingOccurrences(of: "=", with: "").replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            token = "\(header).\(payload)."
        case "non-uuid subject":
            let keys = JWTKeyCollection()
            await keys.add(hmac: HMACKey(from: TestApp.secret), digestAlgorithm: .sha256)
            let now = Date()
            token = try await keys.sign(
                TokenClaims(
                    iss: "gavel", aud: .init(value: ["gavel"]), sub: "root", exp: .init(value: now.addingTimeInterval(60)),
                    iat: .init(value: now), nbf: .init(value: now.addingTimeInterval(-5)), jti: "x", typ: "access", amr: nil))
        default: token = "not.a.token"
        }
        let response = try await attempt(token)
        #expect(response.status == .unauthorized)
        #expect(response.headers[.wwwAuthenticate] == #"Bearer error="invalid_token""#)
        #expect(try response.problemCode() == "auth.invalid_token")
        #expect(!response.text.contains(token))
    }

    @Test("a non-Bearer Authorization header is 401")
    func wrongScheme() async throws {
        try await TestApp.withRouter { client in
            let response = try await client.post("/api/v1/products", json: "{}", headers: [.authorization: "Basic dXNlcjpwYXNz"])
            #expect(response.status == .unauthorized)
        }
    }

    @Test("the scheme is matched in any case, with blanks around the token; anything else is 401 and creates nothing")
    func schemeSpelling() async throws {
        let token = try await TestApp.token(for: Self.user)
        try await TestApp.withRouter { client in
            for (n, header) in ["bearer \(token)", "BEARER  \(token)\t", "Bearer \t\(token) "].enumerated() {
                let response = try await client.post("/api/v1/products", json: #"{"name": "A\#(n)", "price": 1}"#, headers: [.authorization: header])
                #expect(response.status == .created, "\(header.debugDescription)")
            }
            for header in ["Bearer", "Bearer ", "Bearer   ", "Bearer\t\(token)", "Bearerx \(token)", "Béarer \(token)", "Bearer \(token)x",
                           "Bearer \(token) x"] {
                let response = try await client.post("/api/v1/products", json: #"{"name": "B", "price": 1}"#, headers: [.authorization: header])
                #expect(response.status == .unauthorized, "\(header.debugDescription)")
                #expect(try response.problemCode() == "auth.invalid_token")
            }
            let list = try await client.execute(uri: "/api/v1/products?page_size=100", method: .get)
            #expect(try #require(list.object()["total"] as? Int) == 3)
        }
    }

    @Test("the token is cut from the Authorization value without its scheme and blanks")
    func tokenText() {
        #expect(BearerMiddleware.token(in: "Bearer abc.def") == "abc.def")
        #expect(BearerMiddleware.token(in: "bEaReR   abc \t") == "abc")
        #expect(BearerMiddleware.token(in: "Bearer a b") == "a b")
        #expect(BearerMiddleware.token(in: "Bearer é") == "é")
        for refused in ["Bearer ", "Bearer \t ", "Bearer", "Bear", "", "Bearer\tabc", "Basic abc", "Bearer\u{301} abc"] {
            #expect(BearerMiddleware.token(in: refused) == nil, "\(refused.debugDescription)")
        }
    }

    final class Clock: Sendable {
        let now = Mutex(Date())
    }

    @Test("a remembered token is still checked for time, and only its exact text is remembered")
    func rememberedTokens() async throws {
        let clock = Clock()
        let keys = await TokenVerifier.keys(secret: TestApp.secret)
        let verifier = TokenVerifier(keys: keys, issuer: "gavel", audience: "gavel", now: { clock.now.withLock { $0 } })
        let token = try await TestApp.token(for: Self.user, expiresIn: 60)
        #expect(try await verifier.verify(token).id == Self.user)
        #expect(try await verifier.verify(token).id == Self.user)
        // The same claims under another signature are not the remembered token.
        var tampered = Array(token.utf8)
        tampered[tampered.count - 2] = tampered[tampered.count - 2] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        await #expect(throws: TokenRejection.self) { try await verifier.verify(String(decoding: tampered, as: UTF8.self)) }
        clock.now.withLock { $0 = $0.addingTimeInterval(120) }
        await #expect(throws: TokenRejection.self) { try await verifier.verify(token) }
    }

    @Test("the set of remembered tokens stays within its capacity")
    func rememberedTokensBounded() throws {
        let tokens = VerifiedTokens(capacity: 3)
        let entry = VerifiedTokens.Entry(
            user: AuthenticatedUser(id: Self.user, tokenID: "t"), exp: .init(value: Date()), nbf: .init(value: Date()))
        for index in 0..<10 { tokens.insert("token \(index)", entry) }
        #expect(tokens.count <= 3)
        #expect(tokens.find("token 9") != nil)
    }
}
