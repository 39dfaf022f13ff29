import Foundation
import GavelCore
import Testing

@Suite("Bid admission")
struct BidAdmissionTests {
    typealias F = AuctionFixture

    /// Places `bid` on an item nobody has bid on yet, in `status`.
    func place(_ bid: BidRequest, status: ItemStatus = .active, terms: AuctionTerms = F.terms()) -> BidRejection? {
        var run = AuctionRun(terms, status: status)
        return run.place(bid).rejection
    }

    @Test(
        "an item that is not active takes no bid",
        arguments: ItemStatus.allCases.filter { $0 != .active })
    func notActive(status: ItemStatus) {
        #expect(place(F.bid(F.alice, 10), status: status) == .notActive)
    }

    @Test("an active item takes a valid bid")
    func activeAccepts() {
        #expect(place(F.bid(F.alice, 10)) == nil)
    }

    @Test(
        "a bid before the start is refused; one at the start is taken",
        arguments: [(-0.001, BidRejection?.some(.notStarted)), (-60, .notStarted), (0, nil), (0.001, nil)])
    func startBoundary(offset: TimeInterval, expected: BidRejection?) {
        #expect(place(F.bid(F.alice, 10, at: F.opens.addingTimeInterval(offset))) == expected)
    }

    @Test(
        "a bid at or after the end is refused; one just before is taken",
        arguments: [(-0.001, BidRejection?.none), (0, .ended), (0.001, .ended), (86_400, .ended)])
    func endBoundary(offset: TimeInterval, expected: BidRejection?) {
        #expect(place(F.bid(F.alice, 10, at: F.closes.addingTimeInterval(offset))) == expected)
    }

    @Test("the end that counts is the current, extended one")
    func extendedEndCounts() throws {
        var run = AuctionRun()
        try run.placeAll([F.bid(F.alice, 10, at: F.beforeEnd(30))])
        #expect(run.state.endsAt > F.closes)
        #expect(run.place(F.bid(F.bob, 15, at: F.closes)).rejection == nil)
        #expect(run.place(F.bid(F.carol, 50, at: run.state.endsAt)).rejection == .ended)
    }

    @Test("the seller cannot bid on their own item")
    func selfBid() {
        #expect(place(F.bid(F.seller, 10)) == .selfBid)
    }

    @Test(
        "a bid in another currency is refused; the item's own or none is taken",
        arguments: [("USD", BidRejection?.some(.currencyMismatch)), ("GBP", .currencyMismatch), ("EUR", nil), ("eur", nil)])
    func currency(code: String, expected: BidRejection?) throws {
        let currency = try #require(Currency(code))
        #expect(place(F.bid(F.alice, 10, currency: currency)) == expected)
        #expect(place(F.bid(F.alice, 10)) == nil)
    }

    @Test(
        "an amount that is not positive or exceeds the price ceiling is invalid",
        arguments: [0, -1, -10, Int.min, AuctionRules.maxAmount + 1, Int.max])
    func invalidAmount(amount: Int) {
        #expect(place(F.bid(F.alice, amount)) == .invalidAmount)
    }

    @Test("an amount at the price ceiling is valid")
    func ceilingAmount() {
        #expect(place(F.bid(F.alice, AuctionRules.maxAmount)) == nil)
    }

    @Test(
        "a maximum below the amount is refused; one equal to or above it is taken",
        arguments: [(9, BidRejection?.some(.maxBelowAmount)), (0, .maxBelowAmount), (-5, .maxBelowAmount), (10, nil), (11, nil)])
    func maxBelowAmount(max: Int, expected: BidRejection?) {
        #expect(place(F.bid(F.alice, 10, max: max)) == expected)
    }

    @Test("a maximum above the price ceiling is invalid", arguments: [AuctionRules.maxAmount + 1, Int.max])
    func maxAboveCeiling(max: Int) {
        #expect(place(F.bid(F.alice, 10, max: max)) == .invalidAmount)
    }

    static let dollar = Currency("USD")
    static let early = F.opens.addingTimeInterval(-1)

    @Test(
        "the first failing check, in the documented order, is the answer",
        arguments: [
            // The first row fails every check; each next row passes one more.
            (ItemStatus.cancelled, F.bid(F.seller, -1, max: -2, currency: dollar, at: early), BidRejection.notActive),
            (.active, F.bid(F.seller, -1, max: -2, currency: dollar, at: early), .notStarted),
            (.active, F.bid(F.seller, -1, max: -2, currency: dollar, at: F.closes), .ended),
            (.active, F.bid(F.seller, -1, max: -2, currency: dollar), .selfBid),
            (.active, F.bid(F.alice, -1, max: -2, currency: dollar), .currencyMismatch),
            (.active, F.bid(F.alice, -1, max: -2), .invalidAmount),
            (.active, F.bid(F.alice, 5, max: 4), .maxBelowAmount),
            (.active, F.bid(F.alice, 5, max: 6), .tooLow),
        ])
    func checkOrder(status: ItemStatus, bid: BidRequest, expected: BidRejection) {
        #expect(place(bid, status: status) == expected)
    }

    @Test("a rejected bid leaves the state as it was and is not counted")
    func rejectionChangesNothing() throws {
        var run = AuctionRun()
        try run.placeAll([F.bid(F.alice, 10, max: 40)])
        let before = run.state
        for bid in [F.bid(F.bob, 14), F.bid(F.seller, 100), F.bid(F.alice, 30), F.bid(F.bob, 20, max: 19)] {
            #expect(run.place(bid).rejection != nil)
        }
        #expect(run.state == before)
        #expect(run.accepted.count == 1)
    }

    @Test(
        "each rejection has the problem code clients see",
        arguments: [
            (BidRejection.tooLow, "bid.too_low"), (.selfBid, "bid.self_bid"), (.notActive, "item.not_active"),
            (.ended, "item.ended"), (.notStarted, "item.not_started"), (.currencyMismatch, "bid.currency_mismatch"),
            (.invalidAmount, "bid.invalid_amount"), (.maxBelowAmount, "bid.max_below_amount"),
        ])
    func codes(rejection: BidRejection, code: String) {
        #expect(rejection.code == code)
        #expect(BidRejection(rawValue: code) == rejection)
        #expect(!rejection.message.isEmpty)
    }

    @Test("every rejection has a distinct code")
    func distinctCodes() {
        #expect(Set(BidRejection.allCases.map(\.code)).count == BidRejection.allCases.count)
    }
}
