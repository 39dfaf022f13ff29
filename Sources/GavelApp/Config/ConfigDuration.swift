import Foundation

/// Parses the duration notation used in `config.yaml`: a whole number followed by `ms`, `s`,
/// `m`, `h` or `d` (`250ms`, `5s`, `15m`, `30d`); a bare number means seconds.
enum ConfigDuration {
    static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 12, let amount = Int64(digits) else { return nil }
        switch trimmed.dropFirst(digits.count) {
        case "ms": return .milliseconds(amount)
        case "", "s": return .seconds(amount)
        case "m": return .seconds(amount * 60)
        case "h": return .seconds(amount * 3_600)
        case "d": return .seconds(amount * 86_400)
        default: return nil
        }
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
