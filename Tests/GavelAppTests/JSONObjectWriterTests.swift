import Foundation
import GavelCore
import Testing

@testable import GavelApp

@Suite("Hand-written JSON")
struct JSONObjectWriterTests {
    private struct Sample: Encodable {
        let text: String
        let optional: String?
        let number: Int
        let flag: Bool
    }

    @Test("strings are escaped exactly as JSONEncoder escapes them", arguments: [
        "", "plain", "quote \" and backslash \\", "slash / stays", "tab\tnew\nline\r", "\u{08}\u{0C}\u{01}\u{1F}\u{7F}",
        "ünïcödé ✓ 😀", "</script>",
    ])
    func escaping(text: String) throws {
        var writer = JSONObjectWriter()
        writer.field("flag", true)
        writer.field("number", -42)
        writer.field("optional", nil as String?)
        writer.field("text", text)
        let expected = try JSONCoding.encode(Sample(text: text, optional: nil, number: -42, flag: true))
        #expect(writer.finished == expected, "\(String(decoding: writer.finished, as: UTF8.self))")
    }

    @Test("bid.placed payloads equal the Encodable shape's encoding, with and without a leader")
    func bidPlacedPayload() throws {
        let now = Date()
        let terms = AuctionTerms(
            currency: Currency("EUR")!, startPrice: 1_000, bidIncrement: 50, reservePrice: 5_000, buyoutPrice: nil,
            startsAt: now, endsAt: now.addingTimeInterval(3_600), extensionThreshold: 600, extensionDuration: 300, maxExtension: 3_600)
        let bidder = Identifier.make()
        for leader in [nil, bidder, Identifier.make()] {
            let state = AuctionState(
                status: .active, currentPrice: 1_250, bidCount: 3, leaderID: leader, leaderMax: 2_000,
                endsAt: now.addingTimeInterval(3_600), winnerID: nil, finalPrice: nil)
            let shown = Item(
                id: Identifier.make(), sellerID: Identifier.make(), name: "Lot", description: "", terms: terms, state: state,
                extensionOverridden: false, version: 7, createdAt: now, updatedAt: now)
            let bid = BidRecord(
                id: Identifier.make(), itemID: shown.id, bidderID: bidder, amount: 1_250, maxAmount: 2_000, priceAfter: 1_250,
                leaderAfter: leader ?? bidder, leaderMaxAfter: 2_000, createdAt: now)
            let expected = try JSONCoding.encode(BidPlacedPayload(bid, shown))
            #expect(BidPlacedPayload.json(bid, shown) == expected)
        }
    }
}
