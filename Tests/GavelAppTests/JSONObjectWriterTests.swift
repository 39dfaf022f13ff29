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
        let written = writer.finish()
        #expect(written == expected, "\(String(decoding: written, as: UTF8.self))")
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

    @Test("item and bid responses equal the Encodable shapes' encoding, for every viewer and optional field")
    func itemAndBidResponses() throws {
        let now = Timestamp.truncated(Date())
        let seller = Identifier.make(), bidder = Identifier.make()
        for (reserve, buyout, status) in [(nil, nil, ItemStatus.active), (5_000, 9_000, .active), (5_000, nil, .sold), (nil, 2_000, .unsold)] {
            let terms = AuctionTerms(
                currency: Currency("EUR")!, startPrice: 1_000, bidIncrement: 50, reservePrice: reserve, buyoutPrice: buyout,
                startsAt: now, endsAt: now.addingTimeInterval(3_600), extensionThreshold: 600, extensionDuration: 300,
                maxExtension: 3_600)
            let state = AuctionState(
                status: status, currentPrice: 1_250, bidCount: status == .unsold ? 0 : 3, leaderID: status == .unsold ? nil : bidder,
                leaderMax: 2_000, endsAt: now.addingTimeInterval(3_900), winnerID: status == .sold ? bidder : nil,
                finalPrice: status == .sold ? 1_250 : nil)
            let item = Item(
                id: Identifier.make(), sellerID: seller, name: "Lamp \"1\"\n", description: "Brass / ✓", terms: terms, state: state,
                extensionOverridden: false, version: 4, createdAt: now, updatedAt: now.addingTimeInterval(1))
            for viewer in [nil, seller, bidder] {
                let expected = try JSONCoding.encode(ItemRepresentation(item, viewer: viewer))
                #expect(ItemRepresentation.json(item, viewer: viewer) == expected, "\(String(decoding: expected, as: UTF8.self))")
            }
            let bid = BidRecord(
                id: Identifier.make(), itemID: item.id, bidderID: bidder, amount: 1_250, maxAmount: 2_000, priceAfter: 1_250,
                leaderAfter: bidder, leaderMaxAfter: 2_000, createdAt: now)
            let response = try JSONCoding.encode(
                BidResponse(bid: BidRepresentation(bid), item: ItemRepresentation(item, viewer: bidder)))
            #expect(BidResponse.json(bid, item) == response)
        }
    }

    @Test("problem bodies equal the Encodable shape's encoding, with and without detail and field errors")
    func problemBodies() throws {
        let problems = [
            Problem(.conflict, code: "bid.too_low", detail: "The minimum bid is 1050."),
            Problem(.notFound, code: "item.not_found"),
            Problem.validation(ValidationFailure(field: "amount", "must be \"positive\"\n")),
            Problem(
                .unprocessableContent, code: "request.invalid_body", detail: "Two / three ✓",
                errors: [FieldError(field: "name", message: "required"), FieldError(field: "ends_at", message: "after starts_at")],
                title: "Custom title"),
            Problem.unauthorized("The access token has expired."),
        ]
        for problem in problems {
            let expected = try JSONCoding.encode(Problem.Body(problem))
            #expect(problem.json() == expected, "\(String(decoding: expected, as: UTF8.self))")
        }
    }

    @Test("arrays of objects: empty, one, several")
    func objectArrays() {
        for count in 0...3 {
            var writer = JSONObjectWriter()
            writer.field("list", objects: 0..<count) { entry, index in entry.field("n", index) }
            let expected = "{\"list\":[" + (0..<count).map { "{\"n\":\($0)}" }.joined(separator: ",") + "]}"
            #expect(String(decoding: writer.finish(), as: UTF8.self) == expected)
        }
    }
}
