import GavelCore
import Testing

@Suite("Product rules")
struct ProductRulesTests {
    static let maxPrice = ProductRules.maxPrice
    static let maxStock = ProductRules.maxStock

    /// Validates against a default currency (EUR) that differs from any currency a draft names.
    func validate(_ draft: ProductDraft) throws(ValidationFailure) -> ProductFields {
        try ProductRules.validate(draft, defaultCurrency: Fixture.euro)
    }

    func failure(_ draft: ProductDraft) throws -> ValidationFailure {
        try #require(throws: ValidationFailure.self) { try validate(draft) }
    }

    @Test("a complete, valid draft keeps every value it was given")
    func keepsValidValues() throws {
        let fields = try validate(
            ProductDraft(name: "Desk lamp", description: "Brass", price: 4_500, currency: "USD", stock: 3))
        #expect(fields.name == "Desk lamp")
        #expect(fields.description == "Brass")
        #expect(fields.price == 4_500)
        #expect(fields.currency.code == "USD")
        #expect(fields.stock == 3)
    }

    // MARK: name

    @Test("the name is stored trimmed", arguments: ["  Desk lamp", "Desk lamp  ", "\n\tDesk lamp \n"])
    func trimsName(name: String) throws {
        #expect(try validate(ProductDraft(name: name, price: 100)).name == "Desk lamp")
    }

    @Test("an empty or blank name is rejected", arguments: ["", " ", "\n\t  \r\n"])
    func rejectsBlankName(name: String) throws {
        #expect(try failure(ProductDraft(name: name, price: 100)).fields == ["name"])
    }

    @Test(
        "the name may be 1 to 200 characters long",
        arguments: [(1, true), (200, true), (201, false)])
    func nameLengthLimit(length: Int, accepted: Bool) {
        let draft = ProductDraft(name: String(repeating: "a", count: length), price: 100)
        #expect(((try? validate(draft)) != nil) == accepted)
    }

    @Test("an over-long name is reported under its field name")
    func overlongNameField() throws {
        #expect(try failure(ProductDraft(name: String(repeating: "a", count: 201), price: 100)).fields == ["name"])
    }

    @Test("the name limit applies after trimming")
    func nameLimitAfterTrimming() throws {
        let name = "  " + String(repeating: "a", count: 200) + "  "
        #expect(try validate(ProductDraft(name: name, price: 100)).name.count == 200)
    }

    @Test("the name limit counts characters, not bytes")
    func nameLimitCountsCharacters() throws {
        let name = String(repeating: "é", count: 200)
        #expect(try validate(ProductDraft(name: name, price: 100)).name == name)
    }

    // MARK: description

    @Test("a missing description becomes empty")
    func missingDescriptionIsEmpty() throws {
        #expect(try validate(ProductDraft(name: "Lamp", price: 100)).description == "")
    }

    @Test(
        "the description may be at most 5000 characters long",
        arguments: [(5_000, true), (5_001, false)])
    func descriptionLengthLimit(length: Int, accepted: Bool) {
        let draft = ProductDraft(name: "Lamp", description: String(repeating: "d", count: length), price: 100)
        #expect(((try? validate(draft)) != nil) == accepted)
    }

    @Test("an over-long description is reported under its field name")
    func overlongDescriptionField() throws {
        let draft = ProductDraft(name: "Lamp", description: String(repeating: "d", count: 5_001), price: 100)
        #expect(try failure(draft).fields == ["description"])
    }

    // MARK: price

    @Test("a price from 1 to the maximum minor units is accepted", arguments: [1, 4_500, maxPrice])
    func acceptsPrice(price: Int) throws {
        #expect(try validate(ProductDraft(name: "Lamp", price: price)).price == price)
    }

    @Test(
        "a price that is not positive or exceeds the maximum is rejected",
        arguments: [0, -1, Int.min, maxPrice + 1, Int.max])
    func rejectsPrice(price: Int) throws {
        #expect(try failure(ProductDraft(name: "Lamp", price: price)).fields == ["price"])
    }

    // MARK: currency

    @Test("the default currency is used when none is given")
    func defaultsCurrency() throws {
        #expect(try validate(ProductDraft(name: "Lamp", price: 100)).currency == Fixture.euro)
    }

    @Test("a given currency is normalised to upper case")
    func normalisesCurrency() throws {
        #expect(try validate(ProductDraft(name: "Lamp", price: 100, currency: "usd")).currency.code == "USD")
    }

    @Test("an unknown currency is rejected, not replaced by the default", arguments: ["", "usdollar", "ZZZ"])
    func rejectsCurrency(code: String) throws {
        #expect(try failure(ProductDraft(name: "Lamp", price: 100, currency: code)).fields == ["currency"])
    }

    // MARK: stock

    @Test("stock defaults to a single article")
    func defaultsStock() throws {
        #expect(try validate(ProductDraft(name: "Lamp", price: 100)).stock == 1)
    }

    @Test("stock from 0 to the maximum is accepted", arguments: [0, 1, maxStock])
    func acceptsStock(stock: Int) throws {
        #expect(try validate(ProductDraft(name: "Lamp", price: 100, stock: stock)).stock == stock)
    }

    @Test("stock below 0 or above the maximum is rejected", arguments: [-1, maxStock + 1, Int.min, Int.max])
    func rejectsStock(stock: Int) throws {
        #expect(try failure(ProductDraft(name: "Lamp", price: 100, stock: stock)).fields == ["stock"])
    }

    // MARK: all at once

    @Test("every failing field is reported at once, each under its name")
    func reportsEveryField() throws {
        let draft = ProductDraft(
            name: "   ", description: String(repeating: "d", count: 5_001), price: 0, currency: "zzz", stock: -1)
        let failure = try failure(draft)
        #expect(failure.code == "validation.failed")
        #expect(failure.fields == ["name", "description", "price", "currency", "stock"])
        #expect(failure.errors.allSatisfy { !$0.message.isEmpty })
    }

    // MARK: name key

    @Test("names that differ only in case or surrounding blanks share a uniqueness key")
    func nameKeyFoldsCaseAndBlanks() {
        #expect(Product.nameKey("Desk Lamp") == Product.nameKey(" desk lamp\n"))
        #expect(Fixture.product(name: "Desk Lamp").nameKey == "desk lamp")
    }

    @Test("names that differ in letters have different uniqueness keys")
    func nameKeyKeepsLetters() {
        #expect(Product.nameKey("Desk lamp") != Product.nameKey("Desk lamps"))
    }

    @Test(
        "every name gets the key a full trim and case fold gives it",
        arguments: [
            "Desk Lamp", "desk lamp", " Desk Lamp", "Desk Lamp\t", "\u{00A0}Lamp", "Lamp\u{2003}", "Lamp\u{85}", "ÉCLAIR",
            "Éclair ", "a\u{301}", "A", "~Z~", "Straße", "\u{3000}Tokyo\u{3000}", "", " ", "Lamp\n\n",
        ])
    func nameKeyMatchesFullFold(name: String) {
        #expect(Product.nameKey(name) == name.trimmingCharacters(in: .whitespacesAndNewlines).lowercased())
    }
}
