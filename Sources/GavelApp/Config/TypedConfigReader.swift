import Configuration
import Foundation

/// Reads schema keys with their declared kinds, turning any failure into a `ConfigProblem`
/// that names the key.
struct TypedConfigReader {
    let reader: ConfigReader

    init(_ reader: ConfigReader) { self.reader = reader }

    func string(_ key: String) throws(ConfigProblem) -> String {
        do { return try reader.requiredString(forKey: ConfigKey(key)) } catch {
            throw ConfigProblem(key: key, "expected a string")
        }
    }

    func int(_ key: String, in range: ClosedRange<Int>) throws(ConfigProblem) -> Int {
        let value: Int
        do { value = try reader.requiredInt(forKey: ConfigKey(key)) } catch {
            throw ConfigProblem(key: key, "expected an integer")
        }
        guard range.contains(value) else {
            throw ConfigProblem(key: key, "\(value) is out of range \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    func bool(_ key: String) throws(ConfigProblem) -> Bool {
        do { return try reader.requiredBool(forKey: ConfigKey(key)) } catch {
            throw ConfigProblem(key: key, "expected true or false")
        }
    }

    func duration(_ key: String, atLeast minimum: Duration = .milliseconds(1)) throws(ConfigProblem) -> Duration {
        let text = try string(key)
        guard let duration = ConfigDuration.parse(text) else {
            throw ConfigProblem(key: key, "'\(text)' is not a duration (examples: 250ms, 5s, 15m, 2h, 30d)")
        }
        guard duration >= minimum else { throw ConfigProblem(key: key, "must be at least \(minimum)") }
        return duration
    }

    func choice<T: RawRepresentable & CaseIterable>(_ key: String, _: T.Type) throws(ConfigProblem) -> T
    where T.RawValue == String {
        let text = try string(key)
        guard let value = T(rawValue: text.lowercased()) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigProblem(key: key, "'\(text)' is not one of: \(allowed)")
        }
        return value
    }
}
