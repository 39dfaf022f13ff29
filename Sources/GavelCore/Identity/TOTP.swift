import Foundation

/// Time-based one-time passwords (RFC 6238) over the HOTP construction of RFC 4226.
///
/// The HMAC is injected so the domain stays free of a crypto dependency; the app passes
/// HMAC-SHA1, the algorithm every authenticator app supports and the `otpauth://` URI names.
public struct TOTP: Sendable {
    public typealias HMAC = @Sendable (_ key: [UInt8], _ message: [UInt8]) -> [UInt8]

    public static let defaultDigits = 6
    public static let defaultPeriod = 30

    public let digits: Int
    public let period: Int
    private let secret: [UInt8]
    private let hmac: HMAC

    public init(secret: [UInt8], hmac: @escaping HMAC, digits: Int = TOTP.defaultDigits, period: Int = TOTP.defaultPeriod) {
        // Truncation yields 31 bits, so more than 9 digits would only add leading zeros;
        // fewer than 6 is below RFC 4226's minimum.
        precondition((6...9).contains(digits), "TOTP codes have 6 to 9 digits")
        precondition(period > 0, "the TOTP period must be positive")
        self.secret = secret
        self.hmac = hmac
        self.digits = digits
        self.period = period
    }

    /// The counter for `date`: whole periods since the Unix epoch, rounded down. Integer
    /// arithmetic, so a time just before a boundary never rounds onto the next step.
    public static func step(at date: Date, period: Int = TOTP.defaultPeriod) -> Int64 {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let period = Int64(period)
        let quotient = seconds / period
        return seconds % period < 0 ? quotient - 1 : quotient
    }

    /// The code for one counter value, zero-padded to `digits`.
    public func code(step: Int64) -> String {
        let counter = UInt64(bitPattern: step)
        let message = (0..<8).map { UInt8(truncatingIfNeeded: counter >> (8 * (7 - UInt64($0)))) }
        let mac = hmac(secret, message)
        precondition(mac.count >= 20, "the TOTP HMAC must produce at least 20 bytes")
        // RFC 4226 §5.3 dynamic truncation: the low nibble of the last byte picks 4 bytes,
        // read big-endian without the sign bit.
        let offset = Int(mac[mac.count - 1] & 0x0F)
        let binary = UInt32(mac[offset] & 0x7F) << 24 | UInt32(mac[offset + 1]) << 16
            | UInt32(mac[offset + 2]) << 8 | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        let text = String(binary % modulus)
        return String(repeating: "0", count: digits - text.count) + text
    }

    public func code(at date: Date) -> String {
        code(step: Self.step(at: date, period: period))
    }

    /// The step whose code `code` is, looking up to `window` steps either side of `date` to
    /// allow for clock skew; `nil` if none matches or `code` is not exactly `digits` ASCII
    /// digits. The caller stores the step and refuses it next time (see `TOTPReplay`).
    ///
    /// Every step in the window is computed and compared in full, so the time taken does not
    /// reveal how much of a guess was right or which step it matched. If two steps share a code
    /// the latest wins, so a code that is valid for a fresh step is never taken for a replay.
    public func matchingStep(_ code: String, at date: Date, window: Int = 1) -> Int64? {
        precondition(window >= 0, "the skew window cannot be negative")
        let candidate = Array(code.trimmingCharacters(in: .whitespacesAndNewlines).utf8)
        guard candidate.count == digits, candidate.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        let now = Self.step(at: date, period: period)
        var match: Int64?
        for offset in -Int64(window)...Int64(window) {
            let step = now + offset
            let matches = Self.constantTimeEqual(Array(self.code(step: step).utf8), candidate)
            if matches { match = step }
        }
        return match
    }

    /// Compares every byte of equal-length inputs with no early exit.
    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        // The length is public: both sides are always `digits` long once the format is checked.
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }
}
