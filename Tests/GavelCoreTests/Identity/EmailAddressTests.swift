import GavelCore
import Testing

@Suite("Email address")
struct EmailAddressTests {
    func failure(_ text: String) throws -> ValidationFailure {
        try #require(throws: ValidationFailure.self) { try EmailAddress.normalize(text) }
    }

    @Test(
        "stores a valid address trimmed and lower-cased",
        arguments: [
            ("alice@example.com", "alice@example.com"),
            ("Alice@Example.COM", "alice@example.com"),
            ("  bob@example.org\n", "bob@example.org"),
            ("first.last+tag@sub.example.co.uk", "first.last+tag@sub.example.co.uk"),
            ("o'neil_99@my-shop.example", "o'neil_99@my-shop.example"),
            ("x@a.io", "x@a.io"),
            ("user@xn--bcher-kva.example", "user@xn--bcher-kva.example"),
            ("!#$%&'*+-/=?^_`{|}~@example.com", "!#$%&'*+-/=?^_`{|}~@example.com"),
        ])
    func normalisesValidAddresses(text: String, stored: String) throws {
        #expect(try EmailAddress.normalize(text) == stored)
    }

    @Test("addresses differing only in case normalise to the same value")
    func caseInsensitive() throws {
        #expect(try EmailAddress.normalize("ALICE@EXAMPLE.COM") == EmailAddress.normalize("alice@example.com"))
    }

    @Test(
        "rejects malformed addresses under the email field",
        arguments: [
            "", "   ",  // empty
            "alice", "alice.example.com",  // no @
            "a@b@example.com", "alice@@example.com",  // more than one @
            "@example.com",  // empty local part
            "alice@", "alice@localhost", "alice@example",  // no dotted domain
            "alice@.example.com", "alice@example..com", "alice@example.com.",  // empty label
            "alice@-example.com", "alice@example-.com", "alice@exa_mple.com", "alice@exa!mple.com",  // bad label
            "alice@example.123", "alice@1.2.3.4", "alice@[127.0.0.1]",  // numeric or literal host
            ".alice@example.com", "alice.@example.com", "al..ice@example.com",  // misplaced dots
            "\"alice\"@example.com", "al(ice)@example.com", "a,b@example.com", "<alice@example.com>",  // not dot-atom
            "ali ce@example.com", "alice@exa mple.com", "alice@example.com\u{0}", "al\tice@example.com",  // whitespace, controls
            "alice\u{00A0}@example.com",  // no-break space
            "ålice@example.com", "alice@bücher.example",  // not ASCII
            "\u{212A}im@example.com",  // KELVIN SIGN, which lower-cases to an ASCII "k"
        ])
    func rejectsInvalidAddresses(text: String) throws {
        #expect(try failure(text).fields == ["email"])
    }

    @Test("the local part may be at most 64 bytes")
    func localPartLimit() throws {
        let local = String(repeating: "a", count: 64)
        #expect(try EmailAddress.normalize(local + "@example.com") == local + "@example.com")
        #expect(try failure(local + "a@example.com").fields == ["email"])
    }

    @Test("the whole address may be at most 254 bytes")
    func totalLimit() throws {
        // "abcdefghij@" (11) + three labels of 63, one of 47 and "com", with their dots (243) = 254
        let label = String(repeating: "d", count: 63)
        let domain = [label, label, label, String(repeating: "e", count: 47), "com"].joined(separator: ".")
        let address = "abcdefghij@" + domain
        #expect(address.utf8.count == 254)
        #expect(try EmailAddress.normalize(address) == address)
        #expect(try failure("k" + address).fields == ["email"])
    }

    @Test("a domain label may be at most 63 characters")
    func labelLimit() throws {
        #expect(try failure("a@" + String(repeating: "d", count: 64) + ".com").fields == ["email"])
    }

    @Test("messages never echo the address back")
    func messageDoesNotEchoInput() throws {
        let message = try failure("secret-person@nowhere").errors.first?.message ?? ""
        #expect(!message.contains("secret-person"))
        #expect(!message.isEmpty)
    }
}
