import GavelCore
import Testing

@Suite("Person name")
struct PersonNameTests {
    func failure(_ text: String) throws -> ValidationFailure {
        try #require(throws: ValidationFailure.self) { try PersonName.normalize(text) }
    }

    @Test(
        "stores the name trimmed, otherwise as given",
        arguments: [
            ("Alice", "Alice"), ("  Alice Liddell  ", "Alice Liddell"), ("\n\tBob\n", "Bob"), ("J", "J"),
            ("Zoë O'Brien-Ødegård", "Zoë O'Brien-Ødegård"), ("山田 太郎", "山田 太郎"), ("Anne  Marie", "Anne  Marie"),
        ])
    func trims(text: String, stored: String) throws {
        #expect(try PersonName.normalize(text) == stored)
    }

    @Test("an empty or blank name is rejected", arguments: ["", " ", "\n\t \r\n"])
    func rejectsBlank(text: String) throws {
        #expect(try failure(text).errors == [FieldError(field: "name", message: "must not be empty")])
    }

    @Test("the name may be 1 to 100 characters, counted after trimming", arguments: [(1, true), (100, true), (101, false)])
    func lengthLimit(length: Int, accepted: Bool) {
        let name = "  " + String(repeating: "n", count: length) + "  "
        #expect(((try? PersonName.normalize(name)) != nil) == accepted)
    }

    @Test("the limit counts characters, not bytes")
    func countsCharacters() throws {
        let name = String(repeating: "é", count: 100)
        #expect(try PersonName.normalize(name) == name)
        #expect(try failure(name + "é").fields == ["name"])
    }

    @Test(
        "rejects control characters and text-direction overrides",
        arguments: [
            "Ali\nce", "Ali\tce", "Ali\rce", "Ali\u{0}ce", "Ali\u{7F}ce", "Ali\u{85}ce",  // C0, DEL, C1
            "Ali\u{2028}ce", "Ali\u{2029}ce",  // line and paragraph separators
            "Ali\u{202E}ecilA", "Ali\u{2066}ce\u{2069}",  // bidi override, isolate
        ])
    func rejectsControls(text: String) throws {
        #expect(try failure(text).errors == [FieldError(field: "name", message: "must not contain control characters")])
    }
}
