import Foundation
import GavelCore

/// RFC 3339 UTC timestamps with milliseconds, the one date format of the API and the events.
enum Timestamp {
    /// `2026-11-21T20:38:25.306Z`. Written directly: Foundation's format style costs
    /// microseconds per call, and every item, bid and event carries several timestamps.
    static func format(_ date: Date) -> String {
        String(unsafeUninitializedCapacity: length) { write(date, into: $0) }
    }

    /// The length of every timestamp `format` writes.
    static let length = 24

    /// Writes `format(date)` into the first `length` bytes of `buffer`; returns `length`.
    ///
    /// Dates outside years 0000–9999 are written as the nearest end of that range: the API's
    /// parser and its scheduling horizon admit none, and a formatter must never trap on a date
    /// it is given (a year of six digits did, before the parser was strict).
    static func write(_ date: Date, into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let millis = min(max(Timestamp.millis(date), Self.earliest), Self.latest)
        var seconds = time_t(millis >= 0 ? millis / 1000 : (millis - 999) / 1000)
        let fraction = Int(millis - Int64(seconds) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var index = 0
        func put(_ value: Int, digits: Int) {
            var divisor = 1
            for _ in 1..<digits { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                buffer[index] = UInt8(48 + rest / divisor)
                rest %= divisor
                divisor /= 10
                index += 1
            }
        }
        func put(_ ascii: Character) {
            buffer[index] = ascii.asciiValue!
            index += 1
        }
        put(Int(parts.tm_year) + 1900, digits: 4); put("-"); put(Int(parts.tm_mon) + 1, digits: 2); put("-")
        put(Int(parts.tm_mday), digits: 2); put("T"); put(Int(parts.tm_hour), digits: 2); put(":")
        put(Int(parts.tm_min), digits: 2); put(":"); put(Int(parts.tm_sec), digits: 2); put(".")
        put(fraction, digits: 3); put("Z")
        return index
    }

    /// 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z.
    static let earliest: Int64 = -62_167_219_200_000
    static let latest: Int64 = 253_402_300_799_999

    /// Milliseconds since the epoch: how dates are stored, so stored and served values agree.
    static func millis(_ date: Date) -> Int64 { date.unixMillis }

    static func date(millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }

    /// `date` truncated to whole milliseconds.
    static func truncated(_ date: Date) -> Date { Self.date(millis: millis(date)) }
}
