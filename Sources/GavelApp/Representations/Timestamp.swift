import Foundation
import GavelCore

/// RFC 3339 UTC timestamps with milliseconds, the one date format of the API and the events.
enum Timestamp {
    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    static func format(_ date: Date) -> String { style.format(date) }

    /// Milliseconds since the epoch: how dates are stored, so stored and served values agree.
    static func millis(_ date: Date) -> Int64 { date.unixMillis }

    static func date(millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }

    /// `date` truncated to whole milliseconds.
    static func truncated(_ date: Date) -> Date { Self.date(millis: millis(date)) }
}
