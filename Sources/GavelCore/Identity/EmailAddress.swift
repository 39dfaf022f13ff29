import Foundation

/// Email addresses as account identifiers. Addresses are unique case-insensitively, so the
/// stored form is trimmed and lower-cased; a lookup normalises the same way.
///
/// Deliberately narrower than RFC 5321: the local part is an RFC 5322 dot-atom (no quoted
/// strings, comments or IP literals) and everything is ASCII, with international domains in
/// their `xn--` form. That covers real mailboxes and keeps look-alike characters out.
public enum EmailAddress {
    public static let maximumLength = 254
    public static let maximumLocalPartLength = 64

    public static func normalize(_ text: String) throws(ValidationFailure) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw failure("must not be empty") }
        // Checked before lower-casing: Unicode case mapping can turn a non-ASCII letter into
        // an ASCII one (KELVIN SIGN → "k").
        for scalar in trimmed.unicodeScalars {
            if scalar.properties.isWhitespace || scalar.properties.generalCategory == .control {
                throw failure("must not contain spaces or control characters")
            }
            guard scalar.isASCII else {
                throw failure("must contain only ASCII characters (write an international domain in its xn-- form)")
            }
        }
        let address = trimmed.lowercased()
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw failure("must contain exactly one @") }
        let local = parts[0]
        let domain = parts[1]
        guard !local.isEmpty, local.utf8.count <= maximumLocalPartLength else {
            throw failure("the part before the @ must be 1 to \(maximumLocalPartLength) characters")
        }
        guard isDotAtom(local) else { throw failure("the part before the @ is not a valid mailbox name") }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy(isHostLabel), !labels.last!.allSatisfy(\.isNumber) else {
            throw failure("must end in a domain name such as example.com")
        }
        guard address.utf8.count <= maximumLength else {
            throw failure("must be at most \(maximumLength) characters")
        }
        return address
    }

    private static func failure(_ message: String) -> ValidationFailure {
        ValidationFailure(field: "email", message)
    }

    /// RFC 5322 atext runs joined by single dots.
    private static func isDotAtom(_ local: Substring) -> Bool {
        let atext = Set("abcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+-/=?^_`{|}~".utf8)
        return local.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { atom in
            !atom.isEmpty && atom.utf8.allSatisfy(atext.contains)
        }
    }

    /// A DNS label: 1–63 of [a-z0-9-], not starting or ending with '-'.
    private static func isHostLabel(_ label: Substring) -> Bool {
        let bytes = Array(label.utf8)
        guard let first = bytes.first, let last = bytes.last, bytes.count <= 63 else { return false }
        let hyphen = UInt8(ascii: "-")
        return first != hyphen && last != hyphen
            && bytes.allSatisfy { isLowerAlphanumeric($0) || $0 == hyphen }
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
