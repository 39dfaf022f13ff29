/// What a new password must satisfy. Length and a deny-list of the most common choices, as
/// NIST SP 800-63B recommends, rather than composition rules (which push people to "Password1!").
public enum PasswordPolicy {
    public static let minimumLength = 10
    /// bcrypt uses only the first 72 bytes; accepting more would let a password's tail be
    /// changed without changing what it unlocks.
    public static let maximumBytes = 72

    /// Passwords are checked exactly as typed: never trimmed or case-folded, except to compare
    /// against the common list.
    public static func check(_ password: String) throws(ValidationFailure) {
        if password.count < minimumLength {
            throw ValidationFailure(field: "password", "must be at least \(minimumLength) characters")
        }
        if password.utf8.count > maximumBytes {
            throw ValidationFailure(
                field: "password",
                "must be at most \(maximumBytes) bytes in UTF-8 (bcrypt ignores anything beyond that)")
        }
        // bcrypt implementations read a C string: everything after a NUL would be ignored.
        if password.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw ValidationFailure(field: "password", "must not contain control characters")
        }
        if commonPasswords.contains(password.lowercased()) {
            throw ValidationFailure(field: "password", "is too common; choose a less predictable password")
        }
    }
}
