import Foundation
import GavelCore
import Testing

@Suite("Minimum bid and increments")
struct MinimumBidTests {
    typealias F = AuctionFixture

    @Test("before any bid the minimum is the start price")
    func openingMinimum() {
        let terms = F.terms(start: 250, increment: 25)
        #expect(AuctionRules.minimumBid(terms, .opening(terms, status: .active)) == 250)
    }

    @Test(
        "the first bid must reach the start price and sets the price to its amount",
        arguments: [(9, nil), (10, 10), (11, 11), (400, 400)] as [(Int, Int?)])
    func firstBid(amount: Int, price: Int?) {
        var run = AuctionRun()
        let result = run.place(F.bid(F.alice, amount))
        #expect(result.outcome?.state.currentPrice == price)
        #expect(result.rejection == (price == nil ? .tooLow : nil))
    }

    @Test("the first bid leads, whatever its maximum")
    func firstBidLeads() throws {
        var run = AuctionRun()
        let outcome = try run.place(F.bid(F.alice, 10, max: 500)).get()
        #expect(outcome.state.leaderID == F.alice)
        #expect(outcome.state.leaderMax == 500)
        #expect(outcome.state.currentPrice == 10)
        #expect(outcome.state.bidCount == 1)
        #expect(outcome.leaderChanged)
        #expect(outcome.leaderBefore == nil)
        #expect(outcome.priceBefore == 10)
    }

    @Test("after a bid the minimum is the current price plus one increment")
    func laterMinimum() throws {
        var run = AuctionRun(F.terms(start: 10, increment: 5))
        try run.placeAll([F.bid(F.alice, 30)])
        #expect(AuctionRules.minimumBid(run.terms, run.state) == 35)
    }

    @Test(
        "a later bid must reach the current price plus one increment",
        arguments: [(34, BidRejection?.some(.tooLow)), (30, .tooLow), (35, nil), (36, nil)])
    func laterBid(amount: Int, expected: BidRejection?) throws {
        var run = AuctionRun(F.terms(start: 10, increment: 5))
        try run.placeAll([F.bid(F.alice, 30)])
        #expect(run.place(F.bid(F.bob, amount)).rejection == expected)
    }

    @Test("plain bids climb by whatever amounts the bidders name")
    func plainBidsClimb() throws {
        var run = AuctionRun()
        try run.placeAll([F.bid(F.alice, 10), F.bid(F.bob, 15), F.bid(F.alice, 20), F.bid(F.carol, 95)])
        #expect(run.state.currentPrice == 95)
        #expect(run.state.leaderID == F.carol)
        #expect(run.state.bidCount == 4)
        #expect(AuctionRules.minimumBid(run.terms, run.state) == 100)
    }

    @Test("the minimum does not overflow when price plus increment passes Int.max")
    func minimumSaturates() {
        let terms = F.terms(increment: Int.max)
        let state = AuctionState(
            status: .active, currentPrice: 10, bidCount: 1, leaderID: F.alice, leaderMax: 10, endsAt: F.closes)
        #expect(AuctionRules.minimumBid(terms, state) == Int.max)
        let result = AuctionRules.place(
            F.bid(F.bob, AuctionRules.maxAmount), sellerID: F.seller, terms: terms, state: state)
        #expect(result.rejection == .tooLow)
    }
}
