import Foundation

/// Time-ordered UUIDv7 identifiers (RFC 9562 §5.7): the leading 48 bits are the Unix time in
/// milliseconds, so ids sort by creation time, which keeps B-tree inserts append-mostly.
public enum Identifier {
    public static func make(at date: Date = Date()) -> UUID {
        let millis = UInt64(max(0, date.unixMillis))
        var bytes = [UInt8](repeating: 0, count: 16)
        // Two 64-bit draws: one system call each, not one per byte.
        var rng = SystemRandomNumberGenerator()
        let random = (rng.next() as UInt64, rng.next() as UInt64)
        for index in 6..<16 {
            let word = index < 8 ? random.0 : random.1
            bytes[index] = UInt8(truncatingIfNeeded: word >> (8 * UInt64(index % 8)))
        }
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: millis >> (8 * (5 - UInt64(index)))) }
        bytes[6] = (bytes[6] & 0x0F) | 0x70  // version 7
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 9562 variant
        return UUID(uuid: (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
        ))
    }

    /// Parses an id as it appears in a URL path. Anything that is not a canonical UUID is `nil`,
    /// which callers turn into 404 (a malformed id names no resource).
    public static func parse(_ text: some StringProtocol) -> UUID? {
        // Foundation on Linux scans loosely (blanks, signs, "0x"), so check the shape first:
        // 8-4-4-4-12 hex digits with dashes, nothing else.
        guard text.utf8.count == 36 else { return nil }
        for (offset, byte) in text.utf8.enumerated() {
            let isDash = offset == 8 || offset == 13 || offset == 18 || offset == 23
            guard isDash ? byte == UInt8(ascii: "-") : isHexDigit(byte) else { return nil }
        }
        return UUID(uuidString: String(text))
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
    }
}

extension Date {
    /// Whole milliseconds since the Unix epoch, rounded down. The product with 1000 is taken
    /// from whole microseconds: `seconds * 1000` alone can land just below a whole millisecond
    /// and lose it.
    public var unixMillis: Int64 {
        let micros = (timeIntervalSince1970 * 1_000_000).rounded()
        return Int64((micros / 1_000).rounded(.down))
    }
}

extension UUID {
    /// Lower-case canonical text, the form used in JSON, URLs and the database. Written
    /// directly: `uuidString` formats through `snprintf` and then needs lower-casing, and ids
    /// are rendered for every row, event and response.
    public var text: String {
        withUnsafeBytes(of: uuid) { raw in
            String(unsafeUninitializedCapacity: 36) { buffer in
                var index = 0
                for (offset, byte) in raw.enumerated() {
                    if offset == 4 || offset == 6 || offset == 8 || offset == 10 {
                        buffer[index] = UInt8(ascii: "-")
                        index += 1
                    }
                    buffer[index] = Self.hexDigit(byte >> 4)
                    buffer[index + 1] = Self.hexDigit(byte & 0x0F)
                    index += 2
                }
                return index
            }
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}
