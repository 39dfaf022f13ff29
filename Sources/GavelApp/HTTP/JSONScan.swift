/// What `JSONDecoder` does not tell about a body: a member name repeated within one object
/// (the decoder keeps the first and drops the rest, while most other parsers keep the last, so a
/// proxy and Gavel could disagree about what was sent), and numbers written with a fraction or an
/// exponent (`1e3`, `1000.0`, which the decoder turns into the integer 1000 where an integer is
/// asked for; every number of the API is an integer).
///
/// One pass over the bytes, by the grammar of RFC 8259. It has no verdict on malformed JSON: it
/// answers nil, and the decoder, which has the final word, explains.
enum JSONScan {
    struct Findings: Equatable {
        /// The first repeated name, with the names of the objects around it (`a.b`).
        var repeated: String?
        /// The top-level members whose value holds a number with a fraction or an exponent, in
        /// order, each once (`body` for such a number outside any object).
        var nonIntegers: [String] = []
    }

    /// Deeper bodies are left to the decoder (which refuses beyond 512 levels).
    static let maxDepth = 128

    static func scan(_ bytes: UnsafeRawBufferPointer) -> Findings? {
        var scanner = Scanner(bytes: bytes)
        scanner.skipBlanks()
        guard scanner.value(depth: 0, path: nil, member: nil) else { return nil }
        scanner.skipBlanks()
        guard scanner.index == bytes.count else { return nil }
        return scanner.findings
    }

    private struct Scanner: JSONBytes {
        let bytes: UnsafeRawBufferPointer
        var index = 0
        var findings = Findings()

        /// `path`: the names of the enclosing objects, for a repeated name; `member`: the
        /// top-level member the value belongs to.
        mutating func value(depth: Int, path: String?, member: String?) -> Bool {
            guard depth < JSONScan.maxDepth, let byte = current else { return false }
            switch byte {
            case UInt8(ascii: "{"): return object(depth: depth, path: path, member: member)
            case UInt8(ascii: "["):
                index += 1
                skipBlanks()
                if take(UInt8(ascii: "]")) { return true }
                while true {
                    skipBlanks()
                    guard value(depth: depth + 1, path: path, member: member) else { return false }
                    skipBlanks()
                    if take(UInt8(ascii: ",")) { continue }
                    return take(UInt8(ascii: "]"))
                }
            case UInt8(ascii: "\""): return string() != nil
            case UInt8(ascii: "t"): return literal("true")
            case UInt8(ascii: "f"): return literal("false")
            case UInt8(ascii: "n"): return literal("null")
            default: return number(member: member)
            }
        }

        mutating func object(depth: Int, path: String?, member: String?) -> Bool {
            index += 1
            skipBlanks()
            if take(UInt8(ascii: "}")) { return true }
            var names = Set<String>()
            while true {
                skipBlanks()
                guard let name = string() else { return false }
                let named = path.map { "\($0).\(name)" } ?? name
                if !names.insert(name).inserted, findings.repeated == nil { findings.repeated = named }
                skipBlanks()
                guard take(UInt8(ascii: ":")) else { return false }
                skipBlanks()
                guard value(depth: depth + 1, path: named, member: member ?? name) else { return false }
                skipBlanks()
                if take(UInt8(ascii: ",")) { continue }
                return take(UInt8(ascii: "}"))
            }
        }

        mutating func literal(_ word: StaticString) -> Bool {
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count else { return false }
            for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
            index += count
            return true
        }

        /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
        mutating func number(member: String?) -> Bool {
            _ = take(UInt8(ascii: "-"))
            guard digits() > 0 else { return false }
            var integral = true
            if take(UInt8(ascii: ".")) {
                guard digits() > 0 else { return false }
                integral = false
            }
            if take(UInt8(ascii: "e")) || take(UInt8(ascii: "E")) {
                if !take(UInt8(ascii: "+")) { _ = take(UInt8(ascii: "-")) }
                guard digits() > 0 else { return false }
                integral = false
            }
            let name = member ?? "body"
            if !integral, !findings.nonIntegers.contains(name) { findings.nonIntegers.append(name) }
            return true
        }

        mutating func digits() -> Int {
            let start = index
            while let byte = current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { index += 1 }
            return index - start
        }

        /// A string's text with its escapes decoded (an unpaired surrogate becomes U+FFFD).
        mutating func string() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            var text: [UInt8] = []
            var pendingHigh: UInt32?
            while let byte = current {
                index += 1
                if byte == UInt8(ascii: "\"") {
                    if pendingHigh != nil { append(0xFFFD, to: &text) }
                    return String(decoding: text, as: UTF8.self)
                }
                guard byte >= 0x20 else { return nil }
                guard byte == UInt8(ascii: "\\") else {
                    if pendingHigh != nil { append(0xFFFD, to: &text); pendingHigh = nil }
                    text.append(byte)
                    continue
                }
                guard let escaped = current else { return nil }
                index += 1
                var scalar: UInt32
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalar = UInt32(escaped)
                case UInt8(ascii: "b"): scalar = 0x08
                case UInt8(ascii: "f"): scalar = 0x0C
                case UInt8(ascii: "n"): scalar = 0x0A
                case UInt8(ascii: "r"): scalar = 0x0D
                case UInt8(ascii: "t"): scalar = 0x09
                case UInt8(ascii: "u"):
                    guard let unit = hex4() else { return nil }
                    scalar = unit
                default: return nil
                }
                if let high = pendingHigh {
                    pendingHigh = nil
                    if (0xDC00...0xDFFF).contains(scalar) {
                        append(0x10000 + ((high - 0xD800) << 10) + (scalar - 0xDC00), to: &text)
                        continue
                    }
                    append(0xFFFD, to: &text)
                }
                if (0xD800...0xDBFF).contains(scalar) {
                    pendingHigh = scalar
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    append(0xFFFD, to: &text)
                } else {
                    append(scalar, to: &text)
                }
            }
            return nil
        }

        mutating func hex4() -> UInt32? {
            guard index + 4 <= bytes.count else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: return nil
                }
                value = value << 4 | UInt32(digit)
                index += 1
            }
            return value
        }

        func append(_ scalar: UInt32, to text: inout [UInt8]) {
            text.append(contentsOf: String(Unicode.Scalar(scalar) ?? "\u{FFFD}").utf8)
        }
    }
}
