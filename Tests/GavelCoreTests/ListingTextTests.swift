import GavelCore
import Testing

@Suite("Listing names and descriptions")
struct ListingTextTests {
    static func errors(name: String, description: String? = nil) -> [String] {
        var validator = Validator()
        _ = ListingText.name(name, &validator)
        _ = ListingText.description(description, &validator)
        return validator.errors.map(\.field)
    }

    @Test(
        "names refuse control and bidirectional-override characters",
        arguments: ["Lamp\u{0} secret", "Lamp\u{7}", "Lamp\tshade", "Lamp\nshade", "La\u{85}mp", "La\u{2028}mp", "Lamp\u{202E}pmal", "\u{2066}Lamp"])
    func controlInName(name: String) {
        #expect(Self.errors(name: name) == ["name"])
    }

    @Test(
        "descriptions keep tabs and line breaks and refuse other controls",
        arguments: [("Brass\tlamp\r\nwith shade\n", true), ("Brass\u{0}", false), ("Brass\u{1B}[31m", false), ("\u{202E}", false), ("\u{7F}", false)])
    func controlInDescription(description: String, accepted: Bool) {
        #expect(Self.errors(name: "Lamp", description: description) == (accepted ? [] : ["description"]))
    }

    @Test("a character heavy with combining marks counts its bytes too")
    func combiningMarks() {
        let heavy = "a" + String(repeating: "\u{301}", count: 100_000)
        #expect(heavy.count == 1)
        #expect(Self.errors(name: heavy) == ["name"])
        #expect(Self.errors(name: "Lamp", description: heavy) == ["description"])
        // Four bytes a character is room for any single scalar: 200 emoji pass.
        #expect(Self.errors(name: String(repeating: "🪔", count: 200)) == [])
        #expect(Self.errors(name: "Café", description: String(repeating: "é", count: 5_000)) == [])
    }

    @Test("products and items apply the same rules")
    func bothListings() throws {
        let product = try #require(throws: ValidationFailure.self) {
            try ProductRules.validate(ProductDraft(name: "Lamp\u{0}", description: "\u{0}", price: 100), defaultCurrency: Fixture.euro)
        }
        #expect(product.fields == ["name", "description"])
        let item = try #require(throws: ValidationFailure.self) {
            try ItemRules.validateText(ItemDraft(name: "Lamp\u{0}", description: "\u{0}", startPrice: 10, endsAt: .distantFuture))
        }
        #expect(item.fields == ["name", "description"])
    }
}
