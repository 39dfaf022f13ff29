import Foundation
import GavelCore
import Testing

@Suite("Proxy bidding")
struct ProxyBiddingTests {
    typealias F = AuctionFixture
    static let (a, b, c) = (F.alice, F.bob, F.carol)

    // Start 10, increment 5. Each step names the leader and price that must follow it.
    static let scenarios: [Scenario] = [
        Scenario("a maximum defends its leader one increment above the challenger", [
            .bid(a, 10, max: 100, leads: a, at: 10),
            .bid(b, 50, leads: a, at: 55),
        ]),
        Scenario("the defence is capped at the leader's maximum", [
            .bid(a, 10, max: 100, leads: a, at: 10),
            .bid(b, 98, leads: a, at: 100),
        ]),
        Scenario("a higher maximum takes the lead one increment above the old maximum", [
            .bid(a, 10, max: 100, leads: a, at: 10),
            .bid(b, 50, leads: a, at: 55),
            .bid(b, 60, max: 120, leads: b, at: 105),
        ]),
        Scenario("the new leader's price is capped at their own maximum", [
            .bid(a, 10, max: 100, leads: a, at: 10),
            .bid(b, 60, max: 102, leads: b, at: 102),
        ]),
        Scenario("a plain amount above the old maximum becomes the price", [
            .bid(a, 10, max: 100, leads: a, at: 10),
            .bid(b, 150, leads: b, at: 150),
        ]),
        Scenario("an amount above the defence becomes the price though the leader keeps the lead", [
            .bid(a, 10, max: 100, leads: a, at: 10),
            .bid(b, 80, max: 90, leads: a, at: 95),
        ]),
        Scenario("equal maxima: the earlier bid wins at that maximum", [
            .bid(a, 10, max: 100, leads: a, at: 10),
            .bid(b, 60, max: 100, leads: a, at: 100),
        ]),
        Scenario("equal maxima, the later one a plain amount: the earlier still wins", [
            .bid(a, 10, max: 100, leads: a, at: 10),
            .bid(b, 100, leads: a, at: 100),
            .bid(b, 104, rejected: .tooLow),
            .bid(b, 105, leads: b, at: 105),
        ]),
        Scenario("a leader raising their maximum does not move the price", [
            .bid(a, 10, max: 100, leads: a, at: 10),
            .bid(a, 20, max: 200, leads: a, at: 10),
            .bid(b, 150, leads: a, at: 155),
        ]),
        Scenario("a leader's raise may name an amount below the minimum bid", [
            .bid(a, 10, max: 100, leads: a, at: 10),
            .bid(b, 50, leads: a, at: 55),
            .bid(a, 11, max: 300, leads: a, at: 55),
        ]),
        Scenario("a leader's plain amount above their maximum is a raise, not a price", [
            .bid(a, 10, max: 100, leads: a, at: 10),
            .bid(a, 250, leads: a, at: 10),
            .bid(b, 240, leads: a, at: 245),
        ]),
        Scenario("a leader cannot lower or repeat their own maximum", [
            .bid(a, 10, max: 100, leads: a, at: 10),
            .bid(a, 100, rejected: .tooLow),
            .bid(a, 50, max: 90, rejected: .tooLow),
            .bid(a, 20, max: 100, rejected: .tooLow),
            .bid(a, 20, max: 101, leads: a, at: 10),
        ]),
        Scenario("a plain leader bidding again without raising is too low", [
            .bid(a, 10, leads: a, at: 10),
            .bid(a, 10, rejected: .tooLow),
            .bid(a, 15, leads: a, at: 10),
        ]),
        Scenario("three bidders: the price settles just above the second-highest maximum", [
            .bid(a, 10, max: 100, leads: a, at: 10),
            .bid(b, 20, max: 80, leads: a, at: 85),
            .bid(c, 90, max: 95, leads: a, at: 100),
            .bid(c, 105, leads: c, at: 105),
            .bid(b, 110, max: 130, leads: b, at: 110),
        ]),
        Scenario("a bid below the minimum mid-sequence is refused and the next valid one counts", [
            .bid(a, 10, max: 100, leads: a, at: 10),
            .bid(b, 50, leads: a, at: 55),
            .bid(c, 59, rejected: .tooLow),
            .bid(c, 60, leads: a, at: 65),
        ]),
        Scenario("an outbid leader comes back with a higher maximum", [
            .bid(a, 10, max: 50, leads: a, at: 10),
            .bid(b, 20, max: 70, leads: b, at: 55),
            .bid(a, 60, max: 200, leads: a, at: 75),
            .bid(b, 80, leads: a, at: 85),
        ]),
        Scenario("a defence one increment above the challenger may land between increments", [
            .bid(a, 10, max: 33, leads: a, at: 10),
            .bid(b, 30, leads: a, at: 33),
            .bid(b, 38, max: 40, leads: b, at: 38),
        ]),
    ]

    @Test("scripted sequences give the eBay prices and leaders", arguments: scenarios)
    func sequences(scenario: Scenario) {
        scenario.verify()
    }

    @Test("an outbid bid is accepted and counted but does not lead")
    func outbidBidIsCounted() throws {
        var run = AuctionRun()
        try run.placeAll([F.bid(F.alice, 10, max: 100)])
        let outcome = try run.place(F.bid(F.bob, 50)).get()
        #expect(outcome.state.leaderID == F.alice)
        #expect(outcome.state.bidCount == 2)
        #expect(!outcome.leaderChanged)
        #expect(outcome.leaderBefore == F.alice)
        #expect(outcome.priceBefore == 10)
        #expect(outcome.state.leaderMax == 100)
    }

    @Test("a change of leader is reported with the leader and price before it")
    func leaderChangeReported() throws {
        var run = AuctionRun()
        try run.placeAll([F.bid(F.alice, 10, max: 100)])
        let outcome = try run.place(F.bid(F.bob, 60, max: 120)).get()
        #expect(outcome.leaderChanged)
        #expect(outcome.leaderBefore == F.alice)
        #expect(outcome.priceBefore == 10)
        #expect(outcome.state.leaderMax == 120)
    }

    @Test("a leader's raise is counted and keeps everything else")
    func raiseIsCounted() throws {
        var run = AuctionRun()
        try run.placeAll([F.bid(F.alice, 10, max: 100), F.bid(F.bob, 50)])
        let before = run.state
        let outcome = try run.place(F.bid(F.alice, 20, max: 300)).get()
        var expected = before
        expected.bidCount += 1
        expected.leaderMax = 300
        #expect(outcome.state == expected)
        #expect(!outcome.leaderChanged)
        #expect(!outcome.extended)
    }

    @Test("with an increment larger than the gap, the price stops at the new leader's maximum")
    func largeIncrementCapped() throws {
        var run = AuctionRun(F.terms(start: 10, increment: 1_000))
        try run.placeAll([F.bid(F.alice, 10, max: 500), F.bid(F.bob, 1_010, max: 1_200)])
        #expect(run.state.leaderID == F.bob)
        #expect(run.state.currentPrice == 1_200)
        try run.placeAll([F.bid(F.alice, 2_200, max: 2_500)])
        #expect(run.state.leaderID == F.alice)
        #expect(run.state.currentPrice == 2_200)
    }
}
