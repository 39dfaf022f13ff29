import Foundation

/// A person's display name, shown to other users (sellers, bidders), so it is free text with
/// only the limits that keep it displayable.
public enum PersonName {
    public static let maximumLength = 100

    public static func normalize(_ text: String) throws(ValidationFailure) -> String {
        let name = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw ValidationFailure(field: "name", "must not be empty") }
        guard name.count <= maximumLength else {
            throw ValidationFailure(field: "name", "must be at most \(maximumLength) characters")
        }
        guard !name.unicodeScalars.contains(where: isControl) else {
            throw ValidationFailure(field: "name", "must not contain control characters")
        }
        return name
    }

    /// C0/C1 controls (tabs and line breaks included), line and paragraph separators, and the
    /// bidirectional overrides and isolates, which could make a name render as something else
    /// ("Trojan Source" style) wherever it is shown.
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator: return true
        default: return (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value)
        }
    }
}
