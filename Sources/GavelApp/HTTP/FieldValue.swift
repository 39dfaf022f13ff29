import HTTPTypes

/// Header field values as bytes. Foundation's `trimmingCharacters(in:)` bridges through
/// `NSString` and showed up at several percent of a request's CPU; these helpers never leave
/// UTF-8.
enum FieldValue {
    /// `text` without the optional whitespace around it (RFC 9110 §5.6.3: spaces and tabs).
    static func trimmed(_ text: some StringProtocol) -> Substring {
        let bytes = Substring(text).utf8
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start != end, isBlank(bytes[start]) { bytes.formIndex(after: &start) }
        while start != end, isBlank(bytes[bytes.index(before: end)]) { bytes.formIndex(before: &end) }
        return Substring(bytes[start..<end])
    }

    /// Whether `text` starts with `prefix`, ASCII letters compared without case (scheme names,
    /// media types). `prefix` must be lowercase.
    static func hasPrefix(_ text: some StringProtocol, lowercased prefix: String) -> Bool {
        var bytes = text.utf8.makeIterator()
        for expected in prefix.utf8 {
            guard let byte = bytes.next(), lower(byte) == expected else { return false }
        }
        return true
    }

    static func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }

    private static func lower(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }
}

extension HTTPFields {
    /// The value of `name`, as the `String` subscript gives it. The subscript joins the values
    /// of every field with that name even when there is only one, copying the string each time;
    /// that was about two percent of a bid's CPU (three headers are read per bid).
    func value(_ name: HTTPField.Name) -> String? {
        var found: String?
        for field in self where field.name == name {
            guard found == nil else { return self[name] }
            found = field.value
        }
        return found
    }
}
