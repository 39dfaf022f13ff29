import Foundation
import JWTKit
import Synchronization

/// Claims of every token Gavel signs. `typ` (and the audience) separate access tokens from
/// two-factor challenge tokens, which are signed with the same key, so neither can stand in
/// for the other.
struct TokenClaims: JWTPayload {
    static let accessType = "access"
    static let challengeType = "2fa_challenge"

    let iss: IssuerClaim
    let aud: AudienceClaim
    let sub: SubjectClaim
    let exp: ExpirationClaim
    let iat: IssuedAtClaim
    let nbf: NotBeforeClaim
    let jti: IDClaim
    let typ: String
    /// Authentication methods used (`pwd`, `otp`); access tokens only.
    var amr: [String]? = nil

    /// jwt-kit checks the signature; times are checked by `TokenVerifier` against the
    /// application's clock, the same one that issued the token.
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

extension ExpirationClaim {
    /// `exp` and `nbf` against `now`; both are required claims of every Gavel token.
    static func isCurrent(_ exp: ExpirationClaim, _ nbf: NotBeforeClaim, now: Date) -> Bool {
        (try? exp.verifyNotExpired(currentDate: now)) != nil && (try? nbf.verifyNotBefore(currentDate: now)) != nil
    }
}

/// Why a bearer token was refused; never echoed in detail to the client.
enum TokenRejection: Error {
    case malformed, wrongAlgorithm, wrongIssuer, wrongAudience, wrongType, badSubject, notCurrent, invalid
}

/// Verifies HS256 access tokens with the algorithm, issuer and audience pinned.
///
/// A client sends the same access token with every request for its lifetime, and checking it
/// (header and payload JSON, HMAC) was a tenth of the CPU of a bid. Tokens that passed are
/// remembered by their exact text, so only their time window is checked again; anything else
/// about a token is fixed by its signature.
struct TokenVerifier: Sendable {
    let keys: JWTKeyCollection
    let issuer: String
    let audience: String
    let now: @Sendable () -> Date
    private let verified = VerifiedTokens(capacity: 1_024)

    init(keys: JWTKeyCollection, issuer: String, audience: String, now: @escaping @Sendable () -> Date) {
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.now = now
    }

    /// The one key Gavel signs and verifies with: HS256 over the configured secret.
    static func keys(secret: String) async -> JWTKeyCollection {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        return keys
    }

    func verify(_ token: String) async throws(TokenRejection) -> AuthenticatedUser {
        if let known = verified.find(token) {
            guard ExpirationClaim.isCurrent(known.exp, known.nbf, now: now()) else { throw .notCurrent }
            return known.user
        }
        // Pin the algorithm before anything else: `none` and other HMACs never reach the keys.
        guard let algorithm = Self.algorithm(of: token) else { throw .malformed }
        guard algorithm == "HS256" else { throw .wrongAlgorithm }
        let claims: TokenClaims
        do {
            claims = try await keys.verify(token, as: TokenClaims.self)
        } catch {
            throw .invalid
        }
        guard ExpirationClaim.isCurrent(claims.exp, claims.nbf, now: now()) else { throw .notCurrent }
        guard claims.iss.value == issuer else { throw .wrongIssuer }
        guard claims.aud.value.contains(audience) else { throw .wrongAudience }
        guard claims.typ == TokenClaims.accessType else { throw .wrongType }
        guard let id = UUID(uuidString: claims.sub.value) else { throw .badSubject }
        let user = AuthenticatedUser(id: id, tokenID: claims.jti.value)
        verified.insert(token, VerifiedTokens.Entry(user: user, exp: claims.exp, nbf: claims.nbf))
        return user
    }

    private struct Header: Decodable { let alg: String }

    /// The `alg` of a compact JWS header, read before any key is consulted.
    static func algorithm(of token: String) -> String? {
        guard let dot = token.firstIndex(of: "."), token.utf8.count < 8_192 else { return nil }
        var base64 = token[..<dot].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64) else { return nil }
        return (try? JSONDecoder().decode(Header.self, from: data))?.alg
    }
}

/// Access tokens that passed every check, by their exact text. Bounded: when full it starts
/// over, which costs one full verification per token in use.
final class VerifiedTokens: Sendable {
    struct Entry: Sendable {
        let user: AuthenticatedUser
        let exp: ExpirationClaim
        let nbf: NotBeforeClaim
    }

    private let entries = Mutex<[String: Entry]>([:])
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    func find(_ token: String) -> Entry? { entries.withLock { $0[token] } }

    func insert(_ token: String, _ entry: Entry) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[token] = entry
        }
    }

    var count: Int { entries.withLock { $0.count } }
}
