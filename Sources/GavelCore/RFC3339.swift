/// RFC 3339 §5.6 `date-time`, read strictly: `2030-01-31T18:00:00Z`, `2030-01-31T18:00:00.250+01:00`.
///
/// Every field has its fixed number of digits and its range (a month 1–12, a day that exists in
/// that month, an hour below 24, a minute and a second below 60), `T` (or `t`) between date and
/// time, an offset of `Z`, `z` or `±hh:mm`, and nothing after it. Fractional seconds may have
/// any number of digits up to nine; they are truncated to the millisecond. A leap second (`:60`)
/// is refused: no deadline needs one, and counting it would shift the instant by a second.
///
/// Foundation's ISO 8601 style was laxer: it ignored text after the offset, read years of up to
/// ten digits and let out-of-range fields roll over (`2030-02-31T99:99:99Z` was some day in
/// March), and a six-digit year then crashed the formatter that writes four.
public enum RFC3339 {
    /// Milliseconds since the Unix epoch, or nil when `text` is not a strict `date-time`.
    public static func millis(_ text: some StringProtocol) -> Int64? {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 20, utf8.count <= 40 else { return nil }
        return utf8.withUnsafeBufferPointer(millis)
    }

    private static func millis(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        func number(_ start: Int, _ count: Int) -> Int? {
            var value = 0
            for index in start..<(start + count) {
                let digit = Int(bytes[index]) - 48
                guard digit >= 0 && digit <= 9 else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        func byte(_ index: Int, _ allowed: String) -> Bool { allowed.utf8.contains(bytes[index]) }

        guard let year = number(0, 4), byte(4, "-"), let month = number(5, 2), byte(7, "-"), let day = number(8, 2),
            byte(10, "Tt"), let hour = number(11, 2), byte(13, ":"), let minute = number(14, 2), byte(16, ":"),
            let second = number(17, 2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month, of: year), hour < 24, minute < 60, second < 60 else {
            return nil
        }
        var index = 19
        var fraction = 0
        if byte(index, ".") {
            index += 1
            let start = index
            while index < bytes.count, let digit = number(index, 1) {
                if index - start < 3 { fraction = fraction * 10 + digit }
                index += 1
            }
            let digits = index - start
            guard digits >= 1, digits <= 9 else { return nil }
            for _ in digits..<max(digits, 3) { fraction *= 10 }
        }
        guard index < bytes.count else { return nil }
        var offset = 0
        if byte(index, "Zz") {
            index += 1
        } else if byte(index, "+-") {
            guard index + 6 == bytes.count, let hours = number(index + 1, 2), byte(index + 3, ":"),
                let minutes = number(index + 4, 2), hours < 24, minutes < 60
            else { return nil }
            offset = (hours * 60 + minutes) * 60 * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
            index += 6
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        let days = daysSinceEpoch(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3_600 + minute * 60 + second - offset)
        return seconds * 1_000 + Int64(fraction)
    }

    static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysIn(_ month: Int, of year: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (years 0–9999 here),
    /// by the usual era arithmetic: 400-year eras of 146,097 days, years starting in March so
    /// the leap day comes last.
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
