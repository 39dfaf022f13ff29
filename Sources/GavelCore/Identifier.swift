import Foundation
import Synchronization

/// Time-ordered UUIDv7 identifiers (RFC 9562 §5.7): the leading 48 bits are the Unix time in
/// milliseconds, so ids sort by creation time, which keeps B-tree inserts append-mostly.
public enum Identifier {
    private static let shared = IdentifierGenerator()

    public static func make(at date: Date = Date()) -> UUID { shared.make(at: date) }

    /// Parses an id as it appears in a URL path or a database row. Anything that is not a
    /// canonical UUID (8-4-4-4-12 hex digits with dashes, either case) is `nil`, which callers
    /// turn into 404 (a malformed id names no resource). Decoded here in one pass: Foundation
    /// scans with `sscanf`, and ids are parsed for every request and every stored bid and event.
    /// Inlinable so that callers get it specialised for `String` and `Substring`: the generic
    /// entry point walked the text through witness tables, about 2 µs an id.
    @inlinable
    public static func parse(_ text: some StringProtocol) -> UUID? {
        guard text.utf8.count == 36 else { return nil }
        var bytes: (UInt64, UInt64) = (0, 0)
        var count = 0
        var offset = 0
        for byte in text.utf8 {
            defer { offset += 1 }
            if offset == 8 || offset == 13 || offset == 18 || offset == 23 {
                guard byte == UInt8(ascii: "-") else { return nil }
                continue
            }
            guard let nibble = hexValue(byte) else { return nil }
            if count < 16 { bytes.0 = bytes.0 << 4 | UInt64(nibble) } else { bytes.1 = bytes.1 << 4 | UInt64(nibble) }
            count += 1
        }
        let (high, low) = bytes
        return UUID(uuid: (
            UInt8(truncatingIfNeeded: high >> 56), UInt8(truncatingIfNeeded: high >> 48),
            UInt8(truncatingIfNeeded: high >> 40), UInt8(truncatingIfNeeded: high >> 32),
            UInt8(truncatingIfNeeded: high >> 24), UInt8(truncatingIfNeeded: high >> 16),
            UInt8(truncatingIfNeeded: high >> 8), UInt8(truncatingIfNeeded: high),
            UInt8(truncatingIfNeeded: low >> 56), UInt8(truncatingIfNeeded: low >> 48),
            UInt8(truncatingIfNeeded: low >> 40), UInt8(truncatingIfNeeded: low >> 32),
            UInt8(truncatingIfNeeded: low >> 24), UInt8(truncatingIfNeeded: low >> 16),
            UInt8(truncatingIfNeeded: low >> 8), UInt8(truncatingIfNeeded: low)
        ))
    }

    @usableFromInline
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
}

extension Date {
    /// Whole milliseconds since the Unix epoch, rounded down. The product with 1000 is taken
    /// from whole microseconds: `seconds * 1000` alone can land just below a whole millisecond
    /// and lose it.
    public var unixMillis: Int64 {
        let millis = ((timeIntervalSince1970 * 1_000_000).rounded() / 1_000).rounded(.down)
        // Total, for dates no caller should have: beyond Int64's range it saturates.
        guard millis > -9.2e18 else { return millis.isNaN ? 0 : .min }
        guard millis < 9.2e18 else { return .max }
        return Int64(millis)
    }
}

extension UUID {
    /// Lower-case canonical text, the form used in JSON, URLs and the database. Written
    /// directly: `uuidString` formats through `snprintf` and then needs lower-casing, and ids
    /// are rendered for every row, event and response.
    public var text: String {
        String(unsafeUninitializedCapacity: 36) { write(into: $0) }
    }

    /// Calls `body` with the canonical text as UTF-8 bytes on the stack, without making a
    /// `String` (JSON writers, SQLite bindings). Inlinable for the same reason as `parse`.
    @inlinable
    public func withText<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 36) { buffer in
            try body(UnsafeBufferPointer(rebasing: buffer[..<write(into: buffer)]))
        }
    }

    @usableFromInline
    func write(into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        withUnsafeBytes(of: uuid) { raw in
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

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}

/// Makes UUIDv7 ids. An id made in the same millisecond as the one before continues it: the 74
/// bits after the timestamp count up from that id's random value (RFC 9562 §6.2, method 2), so a
/// burst of bids in one millisecond appends to the unique indexes instead of scattering over
/// their pages. An id for another millisecond (the clock moved on, or a back-dated record) starts
/// from fresh random bits.
public final class IdentifierGenerator: Sendable {
    private struct Last {
        var millis: UInt64 = .max
        /// The 74 bits after the timestamp: 12 in `high`, 62 in `low`.
        var high: UInt16 = 0
        var low: UInt64 = 0
    }

    private let last = Mutex(Last())

    public init() {}

    public func make(at date: Date = Date()) -> UUID {
        let requested = UInt64(max(0, date.unixMillis))
        let (millis, high, low) = last.withLock { last -> (UInt64, UInt16, UInt64) in
            if requested == last.millis {
                last.low &+= 1
                if last.low >> 62 != 0 {
                    // 2^62 ids in one millisecond: carry; past all 74 bits, borrow the next millisecond.
                    last.low = 0
                    last.high = (last.high &+ 1) & 0x0FFF
                    if last.high == 0 { last.millis += 1 }
                }
            } else {
                var rng = SystemRandomNumberGenerator()
                // The top bit of `low` starts clear, so a run within one millisecond has room to count.
                last = Last(
                    millis: requested, high: UInt16(truncatingIfNeeded: rng.next() as UInt64) & 0x0FFF,
                    low: (rng.next() as UInt64) >> 3)
            }
            return (last.millis, last.high, last.low)
        }
        let tail = 0x8000_0000_0000_0000 | low  // RFC 9562 variant bits 10, then 62 bits
        return UUID(uuid: (
            UInt8(truncatingIfNeeded: millis >> 40), UInt8(truncatingIfNeeded: millis >> 32),
            UInt8(truncatingIfNeeded: millis >> 24), UInt8(truncatingIfNeeded: millis >> 16),
            UInt8(truncatingIfNeeded: millis >> 8), UInt8(truncatingIfNeeded: millis),
            0x70 | UInt8(truncatingIfNeeded: high >> 8), UInt8(truncatingIfNeeded: high),
            UInt8(truncatingIfNeeded: tail >> 56), UInt8(truncatingIfNeeded: tail >> 48),
            UInt8(truncatingIfNeeded: tail >> 40), UInt8(truncatingIfNeeded: tail >> 32),
            UInt8(truncatingIfNeeded: tail >> 24), UInt8(truncatingIfNeeded: tail >> 16),
            UInt8(truncatingIfNeeded: tail >> 8), UInt8(truncatingIfNeeded: tail)
        ))
    }
}
