import Foundation

/// The name and description of a listing (a product or an auction item): free text other users
/// are shown, with the limits that keep it storable and displayable.
public enum ListingText {
    public static let maxNameLength = 200
    public static let maxDescriptionLength = 5_000
    /// Lengths count characters, and one character may carry any number of combining marks: the
    /// UTF-8 size is bounded too, at four bytes a character (a 200-character name was about
    /// 1 MiB as one letter with 100,000 accents).
    static let maxBytesPerCharacter = 4

    /// The name, trimmed: 1–200 characters, no control or bidirectional-override characters.
    public static func name(_ raw: String, _ validator: inout Validator) -> String {
        let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        validator.check(!name.isEmpty, "name", "must not be empty")
        validator.check(
            name.count <= maxNameLength && name.utf8.count <= maxNameLength * maxBytesPerCharacter, "name",
            "must be at most \(maxNameLength) characters")
        validator.check(!name.unicodeScalars.contains(where: isControl), "name", "must not contain control characters")
        return name
    }

    /// The description, empty when absent: up to 5,000 characters; tabs and line breaks are
    /// kept, other control characters (NUL among them, which SQLite's text reading ends at) and
    /// bidirectional overrides are refused.
    public static func description(_ raw: String?, _ validator: inout Validator) -> String {
        let description = raw ?? ""
        validator.check(
            description.count <= maxDescriptionLength && description.utf8.count <= maxDescriptionLength * maxBytesPerCharacter,
            "description", "must be at most \(maxDescriptionLength) characters")
        validator.check(
            !description.unicodeScalars.contains { isControl($0) && !["\t", "\n", "\r"].contains($0) }, "description",
            "must not contain control characters other than tabs and line breaks")
        return description
    }

    /// C0/C1 controls (tabs and line breaks included), line and paragraph separators, and the
    /// bidirectional overrides and isolates, which could make text render as something else
    /// ("Trojan Source" style) wherever it is shown.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator: return true
        default: return (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value)
        }
    }
}
