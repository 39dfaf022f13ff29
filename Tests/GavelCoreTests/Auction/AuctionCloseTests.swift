import Foundation
import GavelCore
import Testing

@Suite("Closing an auction")
struct AuctionCloseTests {
    typealias F = AuctionFixture

    @Test("an auction with a leader and no reserve is sold to the leader at the current price")
    func soldToLeader() throws {
        var run = AuctionRun()
        try run.placeAll([F.bid(F.alice, 10, max: 100), F.bid(F.bob, 40)])
        let closed = run.closed
        #expect(closed.status == .sold)
        #expect(closed.winnerID == F.alice)
        #expect(closed.finalPrice == 45)
        #expect(closed.currentPrice == 45)
        #expect(closed.bidCount == 2)
    }

    @Test("an auction without bids closes unsold")
    func unsoldWithoutBids() {
        let closed = AuctionRun().closed
        #expect(closed.status == .unsold)
        #expect(closed.winnerID == nil)
        #expect(closed.finalPrice == nil)
    }

    @Test(
        "with a reserve, the auction is sold only if the leader's price reached it",
        arguments: [(150, ItemStatus.unsold), (199, .unsold), (200, .sold), (300, .sold)])
    func reserve(leaderMax: Int, status: ItemStatus) throws {
        var run = AuctionRun(F.terms(reserve: 200))
        try run.placeAll([F.bid(F.alice, 10, max: leaderMax)])
        let closed = run.closed
        #expect(closed.status == status)
        #expect(closed.winnerID == (status == .sold ? F.alice : nil))
        #expect(closed.finalPrice == (status == .sold ? 200 : nil))
    }

    @Test("an unsold auction keeps its leader and price on record")
    func unsoldKeepsRecord() throws {
        var run = AuctionRun(F.terms(reserve: 200))
        try run.placeAll([F.bid(F.alice, 10, max: 100), F.bid(F.bob, 50)])
        let closed = run.closed
        #expect(closed.status == .unsold)
        #expect(closed.leaderID == F.alice)
        #expect(closed.currentPrice == 55)
        #expect(closed.endsAt == run.state.endsAt)
    }

    @Test("closing twice is closing once", arguments: [nil, 100, 300] as [Int?])
    func idempotent(leaderMax: Int?) throws {
        var run = AuctionRun(F.terms(reserve: 200))
        if let leaderMax { try run.placeAll([F.bid(F.alice, 10, max: leaderMax)]) }
        let once = run.closed
        #expect(AuctionRules.close(run.terms, once) == once)
        #expect(once.status != .active)
    }

    @Test("a state that is not active is returned unchanged", arguments: ItemStatus.allCases.filter { $0 != .active })
    func nonActiveUnchanged(status: ItemStatus) {
        let terms = F.terms()
        let state = AuctionState(
            status: status, currentPrice: 40, bidCount: 3, leaderID: F.alice, leaderMax: 90, endsAt: F.closes)
        #expect(AuctionRules.close(terms, state) == state)
    }

    @Test("a closed auction takes no more bids")
    func noBidsAfterClose() throws {
        var run = AuctionRun()
        try run.placeAll([F.bid(F.alice, 10)])
        let result = AuctionRules.place(F.bid(F.bob, 50), sellerID: F.seller, terms: run.terms, state: run.closed)
        #expect(result.rejection == .notActive)
    }

    @Test(
        "an active auction is due to close from its current end on",
        arguments: [
            (-0.001, ItemStatus.active, false), (0, .active, true), (5, .active, true), (5, .sold, false),
            (5, .scheduled, false),
        ])
    func dueToClose(offset: TimeInterval, status: ItemStatus, due: Bool) {
        let state = AuctionState(status: status, currentPrice: 10, endsAt: F.closes)
        #expect(state.isDueToClose(at: F.closes.addingTimeInterval(offset)) == due)
    }

    // MARK: opening state and statuses

    @Test(
        "the opening state has the start price, no bids and the scheduled end",
        arguments: [ItemStatus.active, .scheduled, .draft])
    func opening(status: ItemStatus) {
        let terms = F.terms(start: 250, reserve: 400)
        #expect(
            AuctionState.opening(terms, status: status)
                == AuctionState(status: status, currentPrice: 250, bidCount: 0, endsAt: F.closes))
    }

    @Test(
        "sold, unsold and cancelled are final; the rest are not",
        arguments: [
            (ItemStatus.draft, false), (.scheduled, false), (.active, false), (.sold, true), (.unsold, true), (.cancelled, true),
        ])
    func finalStatuses(status: ItemStatus, final: Bool) {
        #expect(status.isFinal == final)
    }

    @Test("statuses encode as their lower-case names")
    func statusNames() throws {
        let data = try JSONEncoder().encode(ItemStatus.allCases)
        #expect(String(decoding: data, as: UTF8.self) == #"["draft","scheduled","active","sold","unsold","cancelled"]"#)
    }
}
