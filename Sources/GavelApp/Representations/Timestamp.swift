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
        let (seconds, fraction) = millis.quotientAndRemainder(dividingBy: 1_000)
        var (days, time) = seconds.quotientAndRemainder(dividingBy: 86_400)
        var subsecond = Int(fraction)
        if time < 0 || subsecond < 0 {
            // Before 1970: round towards the earlier day, second and millisecond.
            if subsecond < 0 { subsecond += 1_000; time -= 1 }
            if time < 0 { time += 86_400; days -= 1 }
        }
        let (year, month, day) = civil(days: Int(days))
        let clock = Int(time)
        func pair(_ value: Int, at index: Int) {
            buffer[index] = UInt8(48 + value / 10)
            buffer[index + 1] = UInt8(48 + value % 10)
        }
        pair(year / 100, at: 0); pair(year % 100, at: 2); buffer[4] = UInt8(ascii: "-")
        pair(month, at: 5); buffer[7] = UInt8(ascii: "-"); pair(day, at: 8); buffer[10] = UInt8(ascii: "T")
        pair(clock / 3_600, at: 11); buffer[13] = UInt8(ascii: ":"); pair(clock / 60 % 60, at: 14); buffer[16] = UInt8(ascii: ":")
        pair(clock % 60, at: 17); buffer[19] = UInt8(ascii: ".")
        buffer[20] = UInt8(48 + subsecond / 100); pair(subsecond % 100, at: 21); buffer[23] = UInt8(ascii: "Z")
        return length
    }

    /// The proleptic Gregorian date `days` after 1970-01-01 (the inverse of
    /// `RFC3339.daysSinceEpoch`), by the same era arithmetic: no `gmtime_r`, which every
    /// timestamp of every response and event called.
    static func civil(days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shifted = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shifted + 2) / 5 + 1
        let month = shifted < 10 ? shifted + 3 : shifted - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
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
