import GavelCore
import Testing

@Suite("Base32")
struct Base32Tests {
    /// RFC 4648 §10, with the padding removed as the encoder omits it.
    static let vectors: [(String, String)] = [
        ("", ""), ("f", "MY"), ("fo", "MZXQ"), ("foo", "MZXW6"), ("foob", "MZXW6YQ"), ("fooba", "MZXW6YTB"),
        ("foobar", "MZXW6YTBOI"),
    ]

    @Test("encodes the RFC 4648 test vectors, upper-case and unpadded", arguments: vectors)
    func encodesVectors(plain: String, encoded: String) {
        #expect(Base32.encode(Array(plain.utf8)) == encoded)
    }

    @Test("decodes the RFC 4648 test vectors", arguments: vectors)
    func decodesVectors(plain: String, encoded: String) {
        #expect(Base32.decode(encoded) == Array(plain.utf8))
    }

    @Test(
        "decodes padded, lower-case and space-grouped spellings",
        arguments: [
            ("MZXW6YQ=", "foob"), ("MZXW6YTBOI======", "foobar"), ("MY======", "f"), ("mzxw6ytboi", "foobar"),
            ("MzXw6YtBoI", "foobar"), ("MZXW 6YTB OI", "foobar"), (" mzxw6 ", "foo"),
        ])
    func decodesLenientSpellings(encoded: String, plain: String) {
        #expect(Base32.decode(encoded) == Array(plain.utf8))
    }

    @Test(
        "refuses characters outside the alphabet",
        arguments: ["MZXW6YT0", "MZXW6YT1", "MZXW6YT8", "MZXW-6YTB", "MZXW6YTB\n", "MZ=XW6YTB", "MZXW6YTÉ", "MZXW6YT?"])
    func refusesInvalidCharacters(text: String) {
        #expect(Base32.decode(text) == nil)
    }

    @Test("refuses lengths no encoder produces", arguments: ["M", "MZX", "MZXW6Y", "MZXW6YTBO", "M======="])
    func refusesImpossibleLengths(text: String) {
        #expect(Base32.decode(text) == nil)
    }

    @Test("refuses a final symbol whose unused bits are not zero", arguments: ["MZ", "MZXR", "MZXW7"])
    func refusesNonCanonicalTail(text: String) {
        #expect(Base32.decode(text) == nil)
    }

    @Test("every byte string survives an encode-decode round trip", arguments: 0...41)
    func roundTrips(length: Int) {
        var generator = SeededGenerator(seed: UInt64(length))
        let bytes = (0..<length).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let encoded = Base32.encode(bytes)
        #expect(encoded.count == (length * 8 + 4) / 5)
        #expect(Base32.decode(encoded) == bytes)
        #expect(Base32.decode(encoded.lowercased()) == bytes)
    }

    @Test("a 20-byte TOTP secret encodes to 32 symbols with no padding")
    func secretShape() {
        let encoded = Base32.encode([UInt8](repeating: 0xFF, count: 10) + [UInt8](repeating: 0x00, count: 10))
        #expect(encoded == "7777777777777777AAAAAAAAAAAAAAAA")
    }
}
