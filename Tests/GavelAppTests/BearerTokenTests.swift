import Foundation
import HTTPTypes
import HummingbirdTesting
import JWTKit
import NIOCore
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
}
