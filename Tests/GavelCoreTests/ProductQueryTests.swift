import GavelCore
import Testing

@Suite("Product query filters")
struct ProductQueryTests {
    // MARK: validation

    @Test("a minimum price above the maximum is rejected under min_price")
    func minAboveMaxFails() throws {
        let failure = try #require(throws: ValidationFailure.self) { try ProductQuery(minPrice: 201, maxPrice: 200) }
        #expect(failure.fields == ["min_price"])
    }

    @Test("equal minimum and maximum prices are accepted")
    func equalBoundsAccepted() throws {
        let query = try ProductQuery(minPrice: 200, maxPrice: 200)
        #expect(query.minPrice == 200)
        #expect(query.maxPrice == 200)
    }

    @Test(
        "a negative price bound is rejected under its field name",
        arguments: [
            (-1 as Int?, nil as Int?, ["min_price"]),
            (nil, -1, ["max_price"]),
            (-1, -1, ["min_price", "max_price"]),
        ])
    func negativeBoundFails(minPrice: Int?, maxPrice: Int?, fields: [String]) throws {
        let failure = try #require(throws: ValidationFailure.self) {
            try ProductQuery(minPrice: minPrice, maxPrice: maxPrice)
        }
        #expect(failure.fields == fields)
    }

    @Test("zero is an acceptable price bound")
    func zeroBoundAccepted() throws {
        #expect(try ProductQuery(minPrice: 0, maxPrice: 0).maxPrice == 0)
    }

    // MARK: text

    @Test("blank search text means no text filter", arguments: [nil, "", "   ", "\n\t "])
    func blankTextIsNil(text: String?) throws {
        let query = try ProductQuery(text: text)
        #expect(query.text == nil)
        #expect(query.isUnfiltered)
    }

    @Test("search text is trimmed")
    func textIsTrimmed() throws {
        #expect(try ProductQuery(text: "  lamp \n").text == "lamp")
    }

    @Test("a query with any filter is not unfiltered")
    func filteredIsNotUnfiltered() throws {
        #expect(try !ProductQuery(text: "lamp").isUnfiltered)
        #expect(try !ProductQuery(minPrice: 0).isUnfiltered)
        #expect(try !ProductQuery(maxPrice: 10).isUnfiltered)
        #expect(try !ProductQuery(sellerID: Fixture.sellerID).isUnfiltered)
    }

    // MARK: matching

    @Test("an unfiltered query matches any product")
    func unfilteredMatchesAll() throws {
        #expect(try ProductQuery().matches(Fixture.product()))
    }

    @Test("matches only the chosen seller's products")
    func matchesSeller() throws {
        let query = try ProductQuery(sellerID: Fixture.sellerID)
        #expect(query.matches(Fixture.product(sellerID: Fixture.sellerID)))
        #expect(!query.matches(Fixture.product(sellerID: Fixture.otherSellerID)))
    }

    @Test(
        "price bounds are inclusive",
        arguments: [(99, false), (100, true), (150, true), (200, true), (201, false)])
    func priceBoundsInclusive(price: Int, matches: Bool) throws {
        let query = try ProductQuery(minPrice: 100, maxPrice: 200)
        #expect(query.matches(Fixture.product(price: price)) == matches)
    }

    @Test("a single price bound leaves the other side open")
    func singleBoundIsOpen() throws {
        #expect(try ProductQuery(minPrice: 100).matches(Fixture.product(price: ProductRules.maxPrice)))
        #expect(try ProductQuery(maxPrice: 100).matches(Fixture.product(price: 1)))
    }

    @Test(
        "text matches the name or description ignoring case and accents",
        arguments: [
            ("lamp", "Desk Lamp", "", true),
            ("LAMP", "desk lamp", "", true),
            ("cafe", "Café table", "", true),
            ("CAFÉ", "Cafe table", "", true),
            ("creme", "Crème brûlée set", "", true),
            ("brass", "Desk lamp", "Solid BRASS base", true),
            ("naive", "Print", "A naïve landscape", true),
            ("chair", "Desk lamp", "Solid brass base", false),
            ("lamps", "Desk lamp", "", false),
        ])
    func textMatching(text: String, name: String, description: String, matches: Bool) throws {
        let query = try ProductQuery(text: text)
        #expect(query.matches(Fixture.product(name: name, description: description)) == matches)
    }

    @Test("every filter must hold for a product to match")
    func filtersCombine() throws {
        let query = try ProductQuery(text: "lamp", minPrice: 100, sellerID: Fixture.sellerID)
        #expect(query.matches(Fixture.product(name: "Desk lamp", price: 100)))
        #expect(!query.matches(Fixture.product(name: "Desk lamp", price: 99)))
        #expect(!query.matches(Fixture.product(name: "Desk chair", description: "", price: 100)))
        #expect(!query.matches(Fixture.product(sellerID: Fixture.otherSellerID, name: "Desk lamp", price: 100)))
    }
}
