/// A one-pass reader for the plainest JSON objects: one level of members whose values are
/// integers, strings without escapes, or `null`. It answers only what it is sure of; anything
/// else (a fraction, an exponent, an escape, a nested value, a repeated name, an integer past 18
/// digits, bytes after the object) makes it give up, and the body goes through the full
/// decoder, which has the final word and the precise error. Bid bodies, sent thousands of times
/// a second, are always this plain, and `JSONDecoder` was a twentieth of a bid's CPU.
enum FlatJSON {
    enum Value: Equatable {
        case integer(Int)
        case string(String)
        case null
    }

    /// The members of `bytes` as (name, value) pairs in order, or nil when it is not that plain
    /// or has more than `limit` members. The limit keeps the check for repeated names, which
    /// compares each name with those before it, from growing with the square of the body: a
    /// 1 MiB body of 131,000 short names took that many comparisons each.
    static func members(_ bytes: UnsafeRawBufferPointer, limit: Int = 16) -> [(name: String, value: Value)]? {
        var reader = Reader(bytes: bytes)
        var members: [(name: String, value: Value)] = []
        reader.skipBlanks()
        guard reader.take(UInt8(ascii: "{")) else { return nil }
        reader.skipBlanks()
        if reader.take(UInt8(ascii: "}")) { return reader.atEndAfterBlanks ? members : nil }
        while true {
            reader.skipBlanks()
            guard members.count < limit, let name = reader.plainString() else { return nil }
            guard !members.contains(where: { $0.name == name }) else { return nil }
            reader.skipBlanks()
            guard reader.take(UInt8(ascii: ":")) else { return nil }
            reader.skipBlanks()
            guard let value = reader.value() else { return nil }
            members.append((name, value))
            reader.skipBlanks()
            if reader.take(UInt8(ascii: ",")) { continue }
            guard reader.take(UInt8(ascii: "}")) else { return nil }
            return reader.atEndAfterBlanks ? members : nil
        }
    }

    private struct Reader: JSONBytes {
        let bytes: UnsafeRawBufferPointer
        var index = 0

        var atEndAfterBlanks: Bool {
            mutating get {
                skipBlanks()
                return index == bytes.count
            }
        }

        /// A string of printable ASCII without escapes; nil for anything else.
        mutating func plainString() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = index
            while let byte = current, byte != UInt8(ascii: "\"") {
                guard byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\\") else { return nil }
                index += 1
            }
            guard take(UInt8(ascii: "\"")) else { return nil }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<(index - 1)]), as: UTF8.self)
        }

        mutating func value() -> Value? {
            switch current {
            case UInt8(ascii: "\""): return plainString().map(Value.string)
            case UInt8(ascii: "n"):
                for byte in "null".utf8 { guard take(byte) else { return nil } }
                return .null
            default: return integer().map(Value.integer)
            }
        }

        /// `-?(0|[1-9][0-9]*)` of at most 18 digits, not followed by a fraction or exponent.
        mutating func integer() -> Int? {
            let negative = take(UInt8(ascii: "-"))
            var digits = 0
            var value = 0
            while let byte = current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                // A leading zero, or a 19th digit, which could overflow.
                guard !(digits == 1 && value == 0), digits < 18 else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            if let byte = current, byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") { return nil }
            return negative ? -value : value
        }
    }
}

/// A position in a JSON text's bytes, and the steps every reader of them takes.
protocol JSONBytes {
    var bytes: UnsafeRawBufferPointer { get }
    var index: Int { get set }
}

extension JSONBytes {
    var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func take(_ byte: UInt8) -> Bool {
        guard current == byte else { return false }
        index += 1
        return true
    }

    /// JSON whitespace (RFC 8259 §2).
    mutating func skipBlanks() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
    }
}
