import Crypto
import Foundation
import GavelCore
import JWTKit

/// The tokens a successful login returns.
struct TokenPair: Encodable, Sendable {
    let accessToken: String
    let tokenType = "Bearer"
    let expiresIn: Int
    let refreshToken: String

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token", tokenType = "token_type", expiresIn = "expires_in", refreshToken = "refresh_token"
    }
}

/// Signs access and challenge tokens with the configured HS256 key and makes opaque refresh
/// tokens, which are stored only as hashes. A challenge token is proof that the password was
/// right, good only for `/2fa/challenge`: its `typ` and audience differ from an access token's,
/// so the bearer middleware refuses it everywhere else.
struct TokenIssuer: Sendable {
    static let challengeLifetime: TimeInterval = 300

    let keys: JWTKeyCollection
    let issuer: String
    let audience: String
    let accessLifetime: TimeInterval

    var challengeAudience: String { audience + ":2fa" }

    func accessToken(for user: UUID, amr: [String], now: Date) async throws -> String {
        let now = Self.wholeSeconds(now)
        let claims = TokenClaims(
            iss: .init(value: issuer), aud: .init(value: [audience]), sub: .init(value: user.text),
            exp: .init(value: now.addingTimeInterval(accessLifetime)), iat: .init(value: now), nbf: .init(value: now),
            jti: .init(value: Identifier.make(at: now).text), typ: TokenClaims.accessType, amr: amr)
        return try await keys.sign(claims)
    }

    func challengeToken(for user: UUID, challenge: UUID, now: Date) async throws -> String {
        let now = Self.wholeSeconds(now)
        let claims = TokenClaims(
            iss: .init(value: issuer), aud: .init(value: [challengeAudience]), sub: .init(value: user.text),
            exp: .init(value: now.addingTimeInterval(Self.challengeLifetime)), iat: .init(value: now), nbf: .init(value: now),
            jti: .init(value: challenge.text), typ: TokenClaims.challengeType)
        return try await keys.sign(claims)
    }

    /// The user and challenge a valid challenge token names; `nil` for anything else.
    func verifyChallenge(_ token: String, now: Date) async -> (user: UUID, challenge: UUID)? {
        guard token.utf8.count < 8_192, TokenVerifier.algorithm(of: token) == "HS256",
            let claims = try? await keys.verify(token, as: TokenClaims.self),
            ExpirationClaim.isCurrent(claims.exp, claims.nbf, now: now),
            claims.iss.value == issuer, claims.aud.value.contains(challengeAudience),
            claims.typ == TokenClaims.challengeType,
            let user = UUID(uuidString: claims.sub.value), let challenge = UUID(uuidString: claims.jti.value)
        else { return nil }
        return (user, challenge)
    }

    /// JWT times are whole seconds (RFC 7519 NumericDate as encoded here); rounding the issue
    /// time up would make a token "not yet valid" for the rest of the second it was issued in.
    static func wholeSeconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }

    /// A new opaque refresh token (256 random bits, base64url) and the hash it is stored as.
    static func newRefreshToken() -> (token: String, hash: String) {
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        let token = bytes.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return (token, refreshTokenHash(token))
    }

    static func refreshTokenHash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
