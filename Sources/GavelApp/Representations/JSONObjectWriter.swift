import Foundation
import GavelCore

/// Writes one JSON object field by field, for the payloads on the bid path (the engine's serial
/// path and every bid and item response), where `JSONEncoder` cost more than the rules and the
/// SQL together. Callers add fields
/// in sorted key order, so the bytes equal what `JSONCoding.encode` gives for the same shape
/// (a test holds each payload to that).
struct JSONObjectWriter {
    private(set) var bytes: [UInt8]
    private var empty = true

    init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
        bytes.append(UInt8(ascii: "{"))
    }

    /// A writer that owns no buffer yet: see `field(_:object:)`.
    private init(borrowing: Void) {
        bytes = []
    }

    mutating func field(_ key: StaticString, _ value: String) {
        name(key)
        Self.appendString(value, to: &bytes)
    }

    /// Absent values are left out, as `encodeIfPresent` does.
    mutating func field(_ key: StaticString, _ value: String?) {
        if let value { field(key, value) }
    }

    /// An id as its canonical text, written without an intermediate `String`.
    mutating func field(_ key: StaticString, _ id: UUID) {
        name(key)
        bytes.append(UInt8(ascii: "\""))
        id.withText { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Absent values are left out, as `encodeIfPresent` does.
    mutating func field(_ key: StaticString, _ id: UUID?) {
        if let id { field(key, id) }
    }

    mutating func field(_ key: StaticString, _ value: Int) {
        name(key)
        bytes.append(contentsOf: String(value).utf8)
    }

    /// Absent values are left out, as `encodeIfPresent` does.
    mutating func field(_ key: StaticString, _ value: Int?) {
        if let value { field(key, value) }
    }

    mutating func field(_ key: StaticString, _ value: Bool) {
        name(key)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// A date as `Timestamp.format` writes it, without an intermediate `String`.
    mutating func field(_ key: StaticString, _ date: Date) {
        name(key)
        bytes.append(UInt8(ascii: "\""))
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Timestamp.length) { buffer in
            bytes.append(contentsOf: buffer[..<Timestamp.write(date, into: buffer)])
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// A nested object, written by `body` straight into this object's bytes: building it in a
    /// writer of its own and copying it in cost an allocation and a copy per object.
    mutating func field(_ key: StaticString, object body: (inout JSONObjectWriter) -> Void) {
        name(key)
        nested(body)
    }

    /// An array of objects, each written by `body` straight into this object's bytes.
    mutating func field<Element>(
        _ key: StaticString, objects elements: some Sequence<Element>, _ body: (inout JSONObjectWriter, Element) -> Void
    ) {
        name(key)
        bytes.append(UInt8(ascii: "["))
        var first = true
        for element in elements {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            nested { body(&$0, element) }
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// An object written by `body` into this writer's buffer, which it borrows meanwhile.
    private mutating func nested(_ body: (inout JSONObjectWriter) -> Void) {
        var nested = JSONObjectWriter(borrowing: ())
        swap(&nested.bytes, &bytes)
        nested.bytes.append(UInt8(ascii: "{"))
        body(&nested)
        swap(&nested.bytes, &bytes)
        bytes.append(UInt8(ascii: "}"))
    }

    /// The object's bytes, closed; the buffer is handed over, not copied.
    consuming func finish() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    private mutating func name(_ key: StaticString) {
        if !empty { bytes.append(UInt8(ascii: ",")) }
        empty = false
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    /// RFC 8259 string escaping, as `JSONEncoder` with `.withoutEscapingSlashes` does it.
    static func appendString(_ value: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        // Ids, times and most names need no escaping: copy them whole.
        if !value.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            bytes.append(contentsOf: value.utf8)
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
