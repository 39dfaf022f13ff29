import Foundation
import GavelCore
import Testing

@Suite("RFC 3339 timestamps")
struct RFC3339Tests {
    /// Milliseconds of `components` in UTC, computed by Foundation's calendar: an oracle
    /// independent of the parser's own day arithmetic.
    static func reference(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0) -> Int64 {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let date = calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second))!
        return Int64(date.timeIntervalSince1970) * 1000
    }

    @Test(
        "valid date-times give their instant",
        arguments: [
            ("1970-01-01T00:00:00Z", 0),
            ("2030-01-31T18:00:00Z", reference(2030, 1, 31, 18)),
            ("2030-01-31t18:00:00z", reference(2030, 1, 31, 18)),
            ("2030-01-31T18:00:00.5Z", reference(2030, 1, 31, 18) + 500),
            ("2030-01-31T18:00:00.25Z", reference(2030, 1, 31, 18) + 250),
            ("2030-01-31T18:00:00.123456789Z", reference(2030, 1, 31, 18) + 123),
            ("2030-01-31T19:30:00+01:30", reference(2030, 1, 31, 18)),
            ("2030-01-31T16:00:00-02:00", reference(2030, 1, 31, 18)),
            ("2030-01-31T18:00:00-00:00", reference(2030, 1, 31, 18)),
            ("2028-02-29T00:00:00Z", reference(2028, 2, 29)),
            ("2000-02-29T00:00:00Z", reference(2000, 2, 29)),
            ("1969-12-31T23:59:59.999Z", -1),
            ("9999-12-31T23:59:59.999Z", 253_402_300_799_999),
            ("0000-01-01T00:00:00Z", -62_167_219_200_000),
        ] as [(String, Int64)])
    func valid(text: String, millis: Int64) {
        #expect(RFC3339.millis(text) == millis, "\(text)")
    }

    @Test(
        "anything else is refused: extra text, missing parts, fields out of range, long years",
        arguments: [
            "", "2030-01-31", "2030-01-31T18:00Z", "2030-01-31T18:00:00", "2030-01-31T18:00:00Zjunk",
            "2030-01-31T18:00:00Z ", " 2030-01-31T18:00:00Z", "2030-01-31 18:00:00Z", "2030-1-31T18:00:00Z",
            "2030-13-01T00:00:00Z", "2030-00-01T00:00:00Z", "2030-02-31T00:00:00Z", "2030-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z", "2030-04-31T00:00:00Z", "2030-01-00T00:00:00Z", "2030-02-31T99:99:99Z",
            "2030-01-31T24:00:00Z", "2030-01-31T18:60:00Z", "2030-01-31T18:00:60Z", "2030-01-31T18:00:00.Z",
            "2030-01-31T18:00:00.1234567890Z", "2030-01-31T18:00:00+0100", "2030-01-31T18:00:00+24:00",
            "2030-01-31T18:00:00+01:60", "2030-01-31T18:00:00+01:00:00", "300000-01-01T00:00:00Z",
            "+2030-01-31T18:00:00Z", "2030-01-31T2000000000:00:00Z", "２０３０-01-31T18:00:00Z",
            "2030-01-31T18:00:00.5e3Z", "2030-01-31T18:00:0-Z",
        ])
    func invalid(text: String) {
        #expect(RFC3339.millis(text) == nil, "\(text)")
    }

    @Test("every day of four centuries, at noon, agrees with Foundation's calendar")
    func everyDay() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var date = calendar.date(from: DateComponents(year: 1900, month: 1, day: 1, hour: 12))!
        let end = calendar.date(from: DateComponents(year: 2300, month: 1, day: 1))!
        var checked = 0
        while date < end {
            let parts = calendar.dateComponents([.year, .month, .day], from: date)
            let text = String(format: "%04d-%02d-%02dT12:00:00Z", parts.year!, parts.month!, parts.day!)
            guard RFC3339.millis(text) == Int64(date.timeIntervalSince1970) * 1000 else {
                Issue.record("\(text) gave \(String(describing: RFC3339.millis(text)))")
                return
            }
            checked += 1
            date += 86_400
        }
        #expect(checked == 146_097)
    }
}
