import GavelCore
import Testing

@Suite("Product merge patch")
struct ProductPatchTests {
    let product = Fixture.product(
        name: "Desk lamp", description: "Brass, with a linen shade", price: 4_500, currency: Fixture.euro, stock: 3)

    @Test(
        "fields absent from the patch keep their current values",
        arguments: [
            (ProductPatch(name: "Floor lamp"), ProductDraft(name: "Floor lamp", description: "Brass, with a linen shade", price: 4_500, currency: "EUR", stock: 3)),
            (ProductPatch(description: "Steel"), ProductDraft(name: "Desk lamp", description: "Steel", price: 4_500, currency: "EUR", stock: 3)),
            (ProductPatch(price: 9_900), ProductDraft(name: "Desk lamp", description: "Brass, with a linen shade", price: 9_900, currency: "EUR", stock: 3)),
            (ProductPatch(currency: "USD"), ProductDraft(name: "Desk lamp", description: "Brass, with a linen shade", price: 4_500, currency: "USD", stock: 3)),
            (ProductPatch(stock: 7), ProductDraft(name: "Desk lamp", description: "Brass, with a linen shade", price: 4_500, currency: "EUR", stock: 7)),
        ])
    func absentKeepsValue(patch: ProductPatch, draft: ProductDraft) throws {
        #expect(try patch.merged(into: product) == draft)
    }

    @Test("a value in the patch replaces the current one")
    func valuesReplace() throws {
        let patch = ProductPatch(name: "Floor lamp", description: "Steel", price: 9_900, currency: "usd", stock: 0)
        let draft = try patch.merged(into: product)
        #expect(draft == ProductDraft(name: "Floor lamp", description: "Steel", price: 9_900, currency: "usd", stock: 0))
    }

    @Test("null clears the description")
    func nullClearsDescription() throws {
        let draft = try ProductPatch(description: .some(nil)).merged(into: product)
        #expect(draft.description == "")
        #expect(draft.name == "Desk lamp")
    }

    @Test(
        "null for a field a product must have is an error naming that field",
        arguments: [
            (ProductPatch(name: .some(nil)), "name"),
            (ProductPatch(price: .some(nil)), "price"),
            (ProductPatch(currency: .some(nil)), "currency"),
            (ProductPatch(stock: .some(nil)), "stock"),
        ])
    func nullRequiredFieldFails(patch: ProductPatch, field: String) throws {
        let failure = try #require(throws: ValidationFailure.self) { try patch.merged(into: product) }
        #expect(failure.code == "validation.failed")
        #expect(failure.fields == [field])
    }

    @Test("every field that cannot be removed is reported at once")
    func reportsEveryNullField() throws {
        let patch = ProductPatch(name: .some(nil), description: .some(nil), price: 100, stock: .some(nil))
        let failure = try #require(throws: ValidationFailure.self) { try patch.merged(into: product) }
        #expect(failure.fields == ["name", "stock"])
    }

    @Test("an empty patch is refused with its own code")
    func emptyPatchFails() throws {
        #expect(ProductPatch().isEmpty)
        let failure = try #require(throws: ValidationFailure.self) { try ProductPatch().merged(into: product) }
        #expect(failure.code == "validation.empty_patch")
        #expect(failure.fields == ["body"])
    }

    @Test("a patch that only clears the description is not empty")
    func clearingIsAChange() {
        #expect(!ProductPatch(description: .some(nil)).isEmpty)
    }

    @Test("a merged draft is checked by the same rules as a new product")
    func mergedDraftIsValidatedLater() throws {
        let draft = try ProductPatch(name: "  ", price: 0).merged(into: product)
        let failure = try #require(throws: ValidationFailure.self) {
            try ProductRules.validate(draft, defaultCurrency: Fixture.euro)
        }
        #expect(failure.fields == ["name", "price"])
    }
}
