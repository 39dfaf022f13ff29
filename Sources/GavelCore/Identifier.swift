import Foundation

/// Time-ordered UUIDv7 identifiers (RFC 9562 §5.7): the leading 48 bits are the Unix time in
/// milliseconds, so ids sort by creation time, which keeps B-tree inserts append-mostly.
public enum Identifier {
    public static func make(at date: Date = Date()) -> UUID {
        let millis = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        var bytes = [UInt8](repeating: 0, count: 16)
        var rng = SystemRandomNumberGenerator()
        for index in 6..<16 { bytes[index] = UInt8.random(in: 0...255, using: &rng) }
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
        guard text.utf8.count == 36 else { return nil }
        return UUID(uuidString: String(text))
    }
}

extension UUID {
    /// Lower-case canonical text, the form used in JSON, URLs and the database.
    public var text: String { uuidString.lowercased() }
}
