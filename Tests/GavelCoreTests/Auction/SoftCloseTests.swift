import Foundation
import GavelCore
import Testing

@Suite("Soft close")
struct SoftCloseTests {
    typealias F = AuctionFixture

    // Threshold 300 s, duration 120 s, cap 600 s.
    @Test(
        "a bid within the threshold moves the end to the later of itself and bid time plus duration",
        arguments: [
            (400.0, 0.0), (300.001, 0), (300, 0), (200, 0), (120, 0), (119, 1), (60, 60), (0.5, 119.5),
        ] as [(TimeInterval, TimeInterval)])
    func extendsEnd(secondsBefore: TimeInterval, moved: TimeInterval) throws {
        var run = AuctionRun()
        let outcome = try run.place(F.bid(F.alice, 10, at: F.beforeEnd(secondsBefore))).get()
        #expect(outcome.state.endsAt == F.closes.addingTimeInterval(moved))
        #expect(outcome.extended == (moved > 0))
    }

    @Test("with a duration longer than the threshold, any bid inside the threshold extends")
    func longDuration() throws {
        var run = AuctionRun(F.terms(threshold: 60, duration: 300, maxExtension: 3_600))
        #expect(try run.place(F.bid(F.alice, 10, at: F.beforeEnd(61))).get().extended == false)
        let outcome = try run.place(F.bid(F.bob, 15, at: F.beforeEnd(60))).get()
        #expect(outcome.extended)
        #expect(outcome.state.endsAt == F.closes.addingTimeInterval(240))
    }

    @Test("late bids keep extending until the cap, then the end stays and later bids are refused")
    func capAcrossBids() throws {
        var run = AuctionRun()
        var observed: [(TimeInterval, Bool)] = []
        var amount = 10
        // Each bid lands one second before the current end.
        for _ in 0..<7 {
            let bidder = amount % 10 == 0 ? F.alice : F.bob
            let outcome = try run.place(F.bid(bidder, amount, at: run.state.endsAt.addingTimeInterval(-1))).get()
            observed.append((outcome.state.endsAt.timeIntervalSince(F.closes), outcome.extended))
            amount += 5
        }
        #expect(observed.map(\.0) == [119, 238, 357, 476, 595, 600, 600])
        #expect(observed.map(\.1) == [true, true, true, true, true, true, false])
        #expect(run.state.endsAt == run.terms.latestEnd)
        #expect(run.place(F.bid(F.carol, 500, at: run.terms.latestEnd)).rejection == .ended)
    }

    @Test("a threshold of zero turns soft close off")
    func zeroThreshold() throws {
        var run = AuctionRun(F.terms(threshold: 0))
        let outcome = try run.place(F.bid(F.alice, 10, at: F.beforeEnd(0.001))).get()
        #expect(!outcome.extended)
        #expect(outcome.state.endsAt == F.closes)
    }

    @Test("a cap of zero allows no extension")
    func zeroCap() throws {
        var run = AuctionRun(F.terms(maxExtension: 0))
        let outcome = try run.place(F.bid(F.alice, 10, at: F.beforeEnd(1))).get()
        #expect(!outcome.extended)
        #expect(outcome.state.endsAt == F.closes)
    }

    @Test("an outbid bid and a leader's raise are accepted bids and extend too")
    func everyAcceptedBidExtends() throws {
        var run = AuctionRun()
        try run.placeAll([F.bid(F.alice, 10, max: 100)])
        let outbid = try run.place(F.bid(F.bob, 50, at: F.beforeEnd(10))).get()
        #expect(outbid.state.leaderID == F.alice)
        #expect(outbid.extended)
        let raise = try run.place(F.bid(F.alice, 60, max: 200, at: outbid.state.endsAt.addingTimeInterval(-10))).get()
        #expect(raise.extended)
        #expect(raise.state.endsAt == outbid.state.endsAt.addingTimeInterval(110))
    }

    @Test("a rejected late bid does not extend")
    func rejectedDoesNotExtend() throws {
        var run = AuctionRun()
        try run.placeAll([F.bid(F.alice, 50)])
        #expect(run.place(F.bid(F.bob, 51, at: F.beforeEnd(5))).rejection == .tooLow)
        #expect(run.state.endsAt == F.closes)
    }

    @Test("the end never moves earlier, even past the cap")
    func neverEarlier() {
        let terms = F.terms()
        let beyondCap = terms.latestEnd.addingTimeInterval(100)
        #expect(AuctionRules.softCloseEnd(terms, currentEnd: beyondCap, bidAt: beyondCap.addingTimeInterval(-5)) == beyondCap)
    }

    @Test("the latest end is the scheduled end plus the cap")
    func latestEnd() {
        #expect(F.terms(maxExtension: 600).latestEnd == F.closes.addingTimeInterval(600))
        #expect(F.terms(maxExtension: -5).latestEnd == F.closes)
    }
}
