import GavelCore
import Testing

@Suite("Currency")
struct CurrencyTests {
    @Test(
        "accepts a known code in any letter case and stores it upper-cased",
        arguments: [
            ("USD", "USD"), ("usd", "USD"), ("Usd", "USD"), ("eUr", "EUR"), ("jpy", "JPY"), ("chf", "CHF"),
        ])
    func normalisesKnownCodes(text: String, code: String) throws {
        let currency = try #require(Currency(text))
        #expect(currency.code == code)
    }

    @Test("the same code in different cases is the same currency")
    func equalAcrossCase() {
        #expect(Currency("gbp") == Currency("GBP"))
    }

    @Test("describes itself by its code")
    func describesByCode() throws {
        let currency = try #require(Currency("sek"))
        #expect(String(describing: currency) == "SEK")
    }

    @Test(
        "rejects text that is not a known ISO 4217 code",
        arguments: [
            "",  // empty
            "U", "US",  // too short
            "USDD", "EURO", "US Dollar",  // too long
            "ABC", "XXX", "ZZZ",  // three letters, but not a currency
            "XAU", "BOV",  // precious-metal and funds codes are not for pricing
            " USD", "USD ", "U D", "US1", "€",  // padded or not letters
        ])
    func rejectsUnknownCodes(text: String) {
        #expect(Currency(text) == nil)
    }

    // `uppercased()` maps some non-ASCII letters onto ASCII ("ſ" → "S", "ı" → "I").
    @Test("rejects non-ASCII letters that upper-case to a known code", arguments: ["uſd", "ınr"])
    func rejectsNonASCIILookalikes(text: String) {
        #expect(Currency(text) == nil)
    }
}
