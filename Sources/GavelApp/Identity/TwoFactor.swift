import Crypto
import Foundation
import GavelCore

/// TOTP over raw secret bytes with swift-crypto's HMAC-SHA1 (the maths is in GavelCore).
enum TwoFactorCrypto {
    static func totp(_ secret: [UInt8]) -> TOTP {
        TOTP(secret: secret) { key, message in
            Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: key)))
        }
    }

    /// 20 random bytes, the RFC 4226 recommended length for HMAC-SHA1.
    static func newSecret() -> [UInt8] {
        SymmetricKey(size: .init(bitCount: 160)).withUnsafeBytes { Array($0) }
    }

    /// Recovery codes are random and single-use; stored as SHA-256 over the user id and the
    /// normalised code, so a leaked table does not reveal them and codes cannot be moved
    /// between accounts.
    /// Hashes the code as `RecoveryCode.normalize` gives it, so the dashed form shown to the
    /// user and any form they type back hash alike.
    static func recoveryHash(_ code: String, user: UUID) -> String {
        let normalized = RecoveryCode.normalize(code) ?? code
        return SHA256.hash(data: Data("gavel-recovery:\(user.text):\(normalized)".utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func newRecoveryCodes() -> [String] {
        var generator = SystemRandomNumberGenerator()
        var codes: Set<String> = []
        while codes.count < RecoveryCode.count { codes.insert(RecoveryCode.generate(using: &generator)) }
        return codes.sorted()
    }
}
