import Foundation
import Testing

@testable import GavelCore

@Suite("Text search: bytes for ASCII, Foundation's answer always")
struct TextSearchTests {
    static let options: String.CompareOptions = [.caseInsensitive, .diacriticInsensitive]

    static func foundation(_ needle: String, in candidate: String) -> Bool {
        candidate.range(of: needle, options: options) != nil
    }

    /// Latin letters with and without marks, ligatures, letters whose fold is longer (ß, ﬃ) or
    /// leaves ASCII (İ, ı, ſ, the Kelvin sign), combining marks, and a few outside Latin.
    static let tricky: [String] =
        (0xA0...0x24F).compactMap { Unicode.Scalar($0).map { String(Character($0)) } }
        + ["\u{1E9E}", "\u{FB00}", "\u{FB01}", "\u{FB03}", "\u{212A}", "\u{212B}", "\u{2160}", "\u{FF21}", "\u{391}", "\u{3C3}"]
        + ["e\u{301}", "E\u{300}", "\u{301}", "\u{308}", "a\u{30A}"]

    static let asciiSamples = ["xay", "STRASSE", "fin", "Office", "kelvin", "A1", "Dz", "oe", "ii", "Cafe", "", "a\r\nb"]

    @Test("every tricky character, alone and between letters, against ASCII text")
    func trickyCharactersAgreeWithFoundation() {
        var checked = 0
        for character in Self.tricky {
            for needle in [character, "a\(character)", "\(character)e"] {
                let search = TextSearch(needle)
                for candidate in Self.asciiSamples + (0x20...0x7E).map({ "x\(Character(Unicode.Scalar($0)!))y" }) {
                    #expect(
                        search.matches(candidate) == Self.foundation(needle, in: candidate),
                        "\(needle.debugDescription) in \(candidate.debugDescription)")
                    checked += 1
                }
            }
        }
        #expect(checked > 100_000)
    }

    @Test("generated queries and texts, ASCII and not, give Foundation's answer")
    func generatedPairsAgreeWithFoundation() {
        var random = SplitMix64(seed: 0x7E57_5EA2C4)
        let ascii = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,-'\r\n\t")
        let pool = ascii.map(String.init) + Self.tricky
        func string(_ length: Int, from alphabet: [String]) -> String {
            (0..<length).map { _ in alphabet.randomElement(using: &random)! }.joined()
        }
        var matched = 0, byBytes = 0
        for round in 0..<10_000 {
            // Short queries over a small alphabet so that many of them occur.
            let small = Array(ascii.prefix(3) + ascii[26..<28]).map(String.init) + ["é", "ß", "\u{FB01}", "s", "f", "i"]
            let needle = string(Int.random(in: 1...3, using: &random), from: round.isMultiple(of: 3) ? pool : small)
            let candidate = string(Int.random(in: 0...24, using: &random), from: round.isMultiple(of: 4) ? pool : small.filter { $0.utf8.count == 1 })
            let search = TextSearch(needle)
            let expected = Self.foundation(needle, in: candidate)
            #expect(search.matches(candidate) == expected, "\(needle.debugDescription) in \(candidate.debugDescription)")
            if expected { matched += 1 }
            if let needle = search.asciiNeedle, TextSearch.asciiSearch(needle, in: candidate) != nil { byBytes += 1 }
        }
        // The pairs exercise both answers and mostly the byte search.
        #expect(matched > 1_200, "\(matched) matches")
        #expect(byBytes > 5_000, "\(byBytes) by bytes")
    }

    @Test("ASCII text is searched as bytes with the folded query; other text is left to Foundation")
    func takesTheByteSearchForASCII() throws {
        #expect(TextSearch("Café").asciiNeedle == Array("cafe".utf8))
        #expect(TextSearch("STRAẞE").asciiNeedle == Array("strasse".utf8))
        #expect(TextSearch("Ærø").asciiNeedle == nil)
        let needle = try #require(TextSearch("lamp").asciiNeedle)
        #expect(TextSearch.asciiSearch(needle, in: "Desk LAMP, brass") == true)
        #expect(TextSearch.asciiSearch(needle, in: "Desk lam") == false)
        #expect(TextSearch.asciiSearch(needle, in: "lam") == false)
        #expect(TextSearch.asciiSearch(needle, in: "Désk lamp") == nil)
        #expect(TextSearch("lamp").matches("Désk lamp"))
    }
}
