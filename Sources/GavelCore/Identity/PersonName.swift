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
        guard !name.unicodeScalars.contains(where: ListingText.isControl) else {
            throw ValidationFailure(field: "name", "must not contain control characters")
        }
        return name
    }
}
