import Foundation

/// The text filter of a list (`q`): a case- and diacritic-insensitive substring search, prepared
/// once per query and then asked of every name and description the list walks.
///
/// Foundation's `range(of:options:)` costs about 2 µs a string, and a list runs it on every item
/// or product under its catalog's lock (0.15–0.26 s over 100,000 items, while bids waited). Text
/// that is all ASCII, which is nearly all of it, is searched as bytes instead: the query is folded
/// once, and when the fold is ASCII, Foundation's answer for ASCII text is whether the folded
/// query occurs in the text with its letters lower-cased (`TextSearchTests` compares the two over
/// every Latin character and thousands of generated pairs). Anything else still asks Foundation.
public struct TextSearch: Hashable, Sendable {
    public let text: String
    /// The query folded and lower-cased, when that is ASCII; nil sends every check to Foundation.
    let asciiNeedle: [UInt8]?

    static let options: String.CompareOptions = [.caseInsensitive, .diacriticInsensitive]

    public init(_ text: String) {
        self.text = text
        let folded = Array(text.folding(options: Self.options, locale: nil).utf8)
        asciiNeedle = !folded.isEmpty && folded.allSatisfy { $0 < 0x80 } ? folded.map(Self.lowercased) : nil
    }

    public func matches(_ candidate: String) -> Bool {
        if let asciiNeedle, let found = Self.asciiSearch(asciiNeedle, in: candidate) { return found }
        return candidate.range(of: text, options: Self.options) != nil
    }

    /// Whether `needle` (lower-case ASCII) occurs in `candidate` with its letters lower-cased;
    /// nil when `candidate` is not all ASCII (or not contiguous UTF-8) and the bytes cannot tell.
    static func asciiSearch(_ needle: [UInt8], in candidate: String) -> Bool? {
        let answer = candidate.utf8.withContiguousStorageIfAvailable { haystack -> Bool? in
            for byte in haystack where byte >= 0x80 { return nil }
            let count = needle.count
            guard count <= haystack.count else { return false }
            return needle.withUnsafeBufferPointer { needle in
                let first = needle[0]
                for start in 0...(haystack.count - count) where lowercased(haystack[start]) == first {
                    var matched = 1
                    while matched < count && lowercased(haystack[start + matched]) == needle[matched] { matched += 1 }
                    if matched == count { return true }
                }
                return false
            }
        }
        return answer ?? nil
    }

    @inline(__always)
    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
    }
}
