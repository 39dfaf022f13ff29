import Foundation
import GavelCore
import Testing

@Suite("otpauth URI")
struct OTPAuthURITests {
    static let secret = Array("12345678901234567890".utf8)

    @Test("names the issuer and an email account, percent-encoded, with every parameter spelled out")
    func emailAccountAndSpacedIssuer() {
        let uri = OTPAuthURI.make(issuer: "Gavel Auctions", account: "alice@example.com", secret: Self.secret)
        #expect(
            uri == "otpauth://totp/Gavel%20Auctions:alice%40example.com"
                + "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Gavel%20Auctions"
                + "&algorithm=SHA1&digits=6&period=30")
    }

    @Test("parses back into the issuer, account and secret it was made from")
    func parsesBack() throws {
        let uri = OTPAuthURI.make(issuer: "Gavel Auctions", account: "bob+bids@example.com", secret: Self.secret)
        let components = try #require(URLComponents(string: uri))
        #expect(components.scheme == "otpauth")
        #expect(components.host == "totp")
        #expect(components.path == "/Gavel Auctions:bob+bids@example.com")
        let query = Dictionary(uniqueKeysWithValues: (components.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        #expect(
            query == [
                "secret": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "issuer": "Gavel Auctions", "algorithm": "SHA1",
                "digits": "6", "period": "30",
            ])
        #expect(Base32.decode(query["secret"] ?? "") == Self.secret)
    }

    @Test("a ':' inside issuer or account is encoded, so only the separator is literal")
    func colonsAreEncoded() throws {
        let uri = OTPAuthURI.make(issuer: "Gavel: Staging", account: "a:b@example.com", secret: [0])
        let label = try #require(uri.split(separator: "?").first?.dropFirst("otpauth://totp/".count))
        #expect(label == "Gavel%3A%20Staging:a%3Ab%40example.com")
        #expect(label.filter { $0 == ":" }.count == 1)
    }

    @Test("keeps unreserved characters and encodes UTF-8 bytes of everything else")
    func unicodeAndUnreserved() {
        let uri = OTPAuthURI.make(issuer: "Gävel", account: "a-b.c_d~e@x.io", secret: [0])
        #expect(uri.hasPrefix("otpauth://totp/G%C3%A4vel:a-b.c_d~e%40x.io?secret=AA&issuer=G%C3%A4vel&"))
    }
}
