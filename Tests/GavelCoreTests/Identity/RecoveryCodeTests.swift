import Foundation
import GavelCore
import Testing

@Suite("Recovery code")
struct RecoveryCodeTests {
    static let alphabet = Set("abcdefghjkmnpqrstuvwxyz23456789")

    @Test("a set holds ten codes")
    func setSize() {
        #expect(RecoveryCode.count == 10)
    }

    @Test("a code is two groups of five unambiguous lower-case symbols", arguments: 0..<20)
    func format(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        let code = Array(RecoveryCode.generate(using: &generator))
        #expect(code.count == 11)
        #expect(code[5] == "-")
        let symbols = code[..<5] + code[6...]
        #expect(symbols.allSatisfy(Self.alphabet.contains))
        #expect(!symbols.contains { "0o1li".contains($0) })
    }

    @Test("ten symbols of the 31-symbol alphabet carry more than 49 bits")
    func entropy() {
        #expect(Self.alphabet.count == 31)
        #expect(Double(RecoveryCode.length) * log2(Double(Self.alphabet.count)) > 49)
    }

    @Test("1000 codes from one generator are all distinct and use the whole alphabet")
    func distinct() {
        var generator = SeededGenerator(seed: 42)
        let codes = (0..<1_000).map { _ in RecoveryCode.generate(using: &generator) }
        #expect(Set(codes).count == 1_000)
        #expect(Set(codes.joined().filter { $0 != "-" }) == Self.alphabet)
    }

    @Test("the same seed gives the same codes, another seed different ones")
    func deterministic() {
        var first = SeededGenerator(seed: 7)
        var second = SeededGenerator(seed: 7)
        var other = SeededGenerator(seed: 8)
        let codes = (0..<10).map { _ in RecoveryCode.generate(using: &first) }
        #expect(codes == (0..<10).map { _ in RecoveryCode.generate(using: &second) })
        #expect(codes != (0..<10).map { _ in RecoveryCode.generate(using: &other) })
    }

    @Test("a generated code normalises to its symbols without the dash", arguments: 0..<20)
    func generatedRoundTrip(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        let code = RecoveryCode.generate(using: &generator)
        let normalised = try #require(RecoveryCode.normalize(code))
        #expect(normalised == code.replacing("-", with: ""))
        #expect(RecoveryCode.normalize(normalised) == normalised)
        #expect(RecoveryCode.normalize(code.uppercased()) == normalised)
    }

    @Test(
        "accepts a code typed with or without the dash, in any case, with spaces around or in the middle",
        arguments: [
            "abcde-fghjk", "abcdefghjk", "ABCDE-FGHJK", "AbCdE-fGhJk", "  abcde-fghjk\n", "abcde fghjk",
            "abcde   fghjk", "\tABCDEFGHJK ",
        ])
    func normalisesTypedVariants(input: String) {
        #expect(RecoveryCode.normalize(input) == "abcdefghjk")
    }

    @Test(
        "rejects anything that is not ten alphabet symbols with one optional separator",
        arguments: [
            "", "abcde", "abcde-fghj", "abcde-fghjkm", "abcdefghjkm",  // wrong length
            "abcd-efghjk", "abcdef-ghjk", "ab-cde-fghjk", "abcde--fghjk", "abcde - fghjk", "abcde_fghjk",  // separator
            "abcde-fghj0", "obcde-fghjk", "abcde-fgh1k", "abcde-fghlk", "abcde-fghik",  // ambiguous symbols
            "abcde-fghj!", "abcde-fghjé", "abcde-fghj\u{212A}",  // outside the alphabet (KELVIN SIGN looks like K)
        ])
    func rejectsInvalid(input: String) {
        #expect(RecoveryCode.normalize(input) == nil)
    }
}
