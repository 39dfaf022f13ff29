import Foundation
import GavelCore
import Testing

@Suite("Hidden reserve")
struct ReserveTests {
    typealias F = AuctionFixture
    static let (a, b) = (F.alice, F.bob)
    static let terms = F.terms(start: 10, increment: 5, reserve: 200)

    static let scenarios: [Scenario] = [
        Scenario("a maximum below the reserve leaves the price alone", terms: terms, [
            .bid(a, 10, max: 199, leads: a, at: 10),
        ]),
        Scenario("a first maximum that reaches the reserve lifts the price to it", terms: terms, [
            .bid(a, 10, max: 250, leads: a, at: 200),
        ]),
        Scenario("a maximum exactly at the reserve lifts the price to it", terms: terms, [
            .bid(a, 10, max: 200, leads: a, at: 200),
        ]),
        Scenario("a new leader whose maximum reaches the reserve lifts the price to it", terms: terms, [
            .bid(a, 10, max: 100, leads: a, at: 10),
            .bid(b, 20, max: 300, leads: b, at: 200),
        ]),
        Scenario("a leader's raise that reaches the reserve lifts the price to it", terms: terms, [
            .bid(a, 10, max: 100, leads: a, at: 10),
            .bid(b, 50, leads: a, at: 55),
            .bid(a, 60, max: 200, leads: a, at: 200),
        ]),
        Scenario("once at the reserve, proxy bidding goes on above it", terms: terms, [
            .bid(a, 10, max: 500, leads: a, at: 200),
            .bid(b, 250, leads: a, at: 255),
            .bid(b, 260, max: 600, leads: b, at: 505),
        ]),
        Scenario("a plain amount above the reserve is the price, not the reserve", terms: terms, [
            .bid(a, 10, max: 100, leads: a, at: 10),
            .bid(b, 300, leads: b, at: 300),
        ]),
        Scenario("an outbid maximum above the reserve lifts the defence, not just the reserve", terms: terms, [
            .bid(a, 10, max: 500, leads: a, at: 200),
            .bid(b, 205, max: 400, leads: a, at: 405),
        ]),
    ]

    @Test("the price jumps to the reserve once the leader's maximum reaches it", arguments: scenarios)
    func sequences(scenario: Scenario) {
        scenario.verify()
    }

    @Test(
        "the reserve counts as met only with a leader at or above it",
        arguments: [(nil, false), (150, false), (199, false), (200, true), (400, true)] as [(Int?, Bool)])
    func reserveMet(leaderMax: Int?, met: Bool) throws {
        var run = AuctionRun(Self.terms)
        if let leaderMax { try run.placeAll([F.bid(F.alice, 10, max: leaderMax)]) }
        #expect(run.state.reserveMet(run.terms) == met)
    }

    @Test("without a reserve it is always met, even before any bid")
    func noReserveIsMet() {
        let terms = F.terms()
        #expect(AuctionState.opening(terms, status: .active).reserveMet(terms))
    }

    @Test("a price at the reserve without a leader does not meet it")
    func priceWithoutLeader() {
        let terms = F.terms(start: 200, reserve: 200)
        #expect(!AuctionState.opening(terms, status: .active).reserveMet(terms))
    }
}
