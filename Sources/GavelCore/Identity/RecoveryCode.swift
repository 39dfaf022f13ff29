import Foundation

/// Single-use codes that stand in for a TOTP code when the authenticator is lost.
///
/// Ten symbols from a 31-symbol alphabet (lower-case letters and digits without the easily
/// confused 0, o, 1, l and i), shown as `xxxxx-xxxxx`: about 49.5 bits each. That is ample
/// against online guessing, which lockout bounds; stored hashes must still not be cheap to
/// brute-force offline, so store them keyed or slow-hashed.
public enum RecoveryCode {
    /// Codes issued per set.
    public static let count = 10
    /// Symbols per code, without the separator.
    public static let length = 10
    static let alphabet = Array("abcdefghjkmnpqrstuvwxyz23456789".utf8)

    public static func generate(using generator: inout some RandomNumberGenerator) -> String {
        var symbols: [UInt8] = []
        symbols.reserveCapacity(length + 1)
        for index in 0..<length {
            if index == length / 2 { symbols.append(UInt8(ascii: "-")) }
            symbols.append(alphabet.randomElement(using: &generator)!)
        }
        return String(decoding: symbols, as: UTF8.self)
    }

    /// The canonical form (ten symbols, no separator) of a code as a user typed it: surrounding
    /// whitespace, letter case and the middle separator (one '-' or spaces) are ignored.
    /// `nil` if what remains is not ten symbols of the alphabet.
    public static func normalize(_ input: String) -> String? {
        let bytes = Array(input.trimmingCharacters(in: .whitespacesAndNewlines).utf8)
        guard bytes.count >= length else { return nil }
        let half = length / 2
        let separator = bytes[half..<(bytes.count - half)]
        guard separator.isEmpty || Array(separator) == [UInt8(ascii: "-")]
            || separator.allSatisfy({ $0 == UInt8(ascii: " ") })
        else { return nil }
        // Lower-case ASCII only: Unicode case mapping would let look-alikes through.
        let symbols = (bytes.prefix(half) + bytes.suffix(half)).map { byte in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
        }
        guard symbols.allSatisfy(alphabet.contains) else { return nil }
        return String(decoding: symbols, as: UTF8.self)
    }
}
