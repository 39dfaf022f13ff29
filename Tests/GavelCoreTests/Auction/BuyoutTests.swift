import Foundation
import GavelCore
import Testing

@Suite("Buy-now")
struct BuyoutTests {
    typealias F = AuctionFixture
    static let terms = F.terms(start: 10, increment: 5, buyout: 500)

    @Test("a bid at or above the buyout price sells at once at the buyout price", arguments: [500, 501, 10_000])
    func sellsAtBuyout(amount: Int) throws {
        var run = AuctionRun(Self.terms)
        let outcome = try run.place(F.bid(F.alice, amount)).get()
        #expect(outcome.soldByBuyout)
        #expect(outcome.state.status == .sold)
        #expect(outcome.state.winnerID == F.alice)
        #expect(outcome.state.leaderID == F.alice)
        #expect(outcome.state.finalPrice == 500)
        #expect(outcome.state.currentPrice == 500)
        #expect(outcome.state.bidCount == 1)
        #expect(outcome.leaderChanged)
    }

    @Test("a bid below the buyout price is an ordinary bid")
    func belowBuyout() throws {
        var run = AuctionRun(Self.terms)
        let outcome = try run.place(F.bid(F.alice, 499)).get()
        #expect(!outcome.soldByBuyout)
        #expect(outcome.state.status == .active)
        #expect(outcome.state.winnerID == nil)
        #expect(outcome.state.finalPrice == nil)
    }

    @Test("a maximum at the buyout price does not buy; only the amount does")
    func maximumDoesNotBuy() throws {
        var run = AuctionRun(Self.terms)
        let outcome = try run.place(F.bid(F.alice, 20, max: 900)).get()
        #expect(!outcome.soldByBuyout)
        #expect(outcome.state.status == .active)
        #expect(outcome.state.currentPrice == 20)
    }

    @Test("buy-now beats a higher secret maximum of the current leader")
    func beatsProxyLeader() throws {
        var run = AuctionRun(Self.terms)
        try run.placeAll([F.bid(F.alice, 10, max: 1_000)])
        let outcome = try run.place(F.bid(F.bob, 500)).get()
        #expect(outcome.soldByBuyout)
        #expect(outcome.state.winnerID == F.bob)
        #expect(outcome.leaderBefore == F.alice)
        #expect(outcome.leaderChanged)
    }

    @Test("the leader can buy now too")
    func leaderBuys() throws {
        var run = AuctionRun(Self.terms)
        try run.placeAll([F.bid(F.alice, 10, max: 300)])
        let outcome = try run.place(F.bid(F.alice, 500)).get()
        #expect(outcome.soldByBuyout)
        #expect(outcome.state.winnerID == F.alice)
        #expect(!outcome.leaderChanged)
    }

    @Test("the buyout price is enough while the price is below it, even under price plus increment")
    func buyoutBelowMinimum() throws {
        var run = AuctionRun(Self.terms)
        try run.placeAll([F.bid(F.alice, 498)])
        #expect(AuctionRules.minimumBid(run.terms, run.state) == 503)
        let outcome = try run.place(F.bid(F.bob, 500)).get()
        #expect(outcome.soldByBuyout)
        #expect(outcome.state.finalPrice == 500)
        #expect(outcome.state.currentPrice > outcome.priceBefore)
    }

    @Test("once bidding reaches the buyout price, buy-now is gone and a big bid is an ordinary one")
    func goneOncePassed() throws {
        var run = AuctionRun(Self.terms)
        try run.placeAll([F.bid(F.alice, 10, max: 1_000), F.bid(F.bob, 495, max: 600)])
        #expect(run.state.currentPrice == 605)
        let outcome = try run.place(F.bid(F.carol, 700)).get()
        #expect(!outcome.soldByBuyout)
        #expect(outcome.state.status == .active)
        #expect(outcome.state.leaderID == F.alice)
        #expect(outcome.state.currentPrice == 705)
    }

    @Test("a bid that reaches the buyout price exactly through the proxy does not sell")
    func proxyReachingBuyout() throws {
        var run = AuctionRun(Self.terms)
        try run.placeAll([F.bid(F.alice, 10, max: 500), F.bid(F.bob, 495)])
        #expect(run.state.currentPrice == 500)
        #expect(run.state.status == .active)
    }

    @Test("after a buy-now the item takes no more bids")
    func noBidsAfterBuyout() throws {
        var run = AuctionRun(Self.terms)
        try run.placeAll([F.bid(F.alice, 500)])
        #expect(run.place(F.bid(F.bob, 1_000)).rejection == .notActive)
    }

    @Test("a buy-now within the soft-close window does not extend the end")
    func buyoutDoesNotExtend() throws {
        var run = AuctionRun(Self.terms)
        let outcome = try run.place(F.bid(F.alice, 500, at: F.beforeEnd(10))).get()
        #expect(!outcome.extended)
        #expect(outcome.state.endsAt == F.closes)
    }

    @Test("buy-now sells even when the seller set the reserve above the buyout price")
    func buyoutIgnoresReserve() throws {
        var run = AuctionRun(F.terms(reserve: 800, buyout: 500))
        try run.placeAll([F.bid(F.alice, 500)])
        #expect(run.state.status == .sold)
        #expect(run.closed == run.state)
    }
}
