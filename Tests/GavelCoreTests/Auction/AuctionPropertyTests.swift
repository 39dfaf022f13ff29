import Foundation
import GavelCore
import Testing

/// Random bid sequences, each fully determined by its seed, checked against the invariants the
/// rules promise whatever the order of bids.
@Suite("Auction invariants over random sequences")
struct AuctionPropertyTests {
    typealias F = AuctionFixture
    static let bidders = [F.alice, F.bob, F.carol, F.dan, Fixture.id(105)]
    static let seeds = Array(UInt64(1)...500)

    /// Terms with a random start, increment, and sometimes a reserve and a buyout price.
    static func terms(_ rng: inout SeededGenerator) -> AuctionTerms {
        let start = Int.random(in: 1...1_000, using: &rng)
        let increment = Int.random(in: 1...100, using: &rng)
        let reserve = Bool.random(using: &rng) ? start + Int.random(in: 0...3_000, using: &rng) : nil
        let buyout = Int.random(in: 0..<4, using: &rng) == 0 ? start + Int.random(in: 1...5_000, using: &rng) : nil
        return F.terms(
            start: start, increment: increment, reserve: reserve, buyout: buyout,
            threshold: Double(Int.random(in: 0...300, using: &rng)), duration: Double(Int.random(in: 0...300, using: &rng)),
            maxExtension: Double(Int.random(in: 0...900, using: &rng)))
    }

    /// 30 bids around the minimum, some with maxima, some invalid, at times that drift past the end.
    static func bids(_ terms: AuctionTerms, _ rng: inout SeededGenerator) -> [BidRequest] {
        var at = F.opens.addingTimeInterval(-30)
        var reference = terms.startPrice
        return (0..<30).map { _ in
            at.addTimeInterval(Double(Int.random(in: 0...200, using: &rng)))
            let bidder = Int.random(in: 0..<40, using: &rng) == 0 ? F.seller : bidders.randomElement(using: &rng)!
            let amount = reference + Int.random(in: -2 * terms.bidIncrement...4 * terms.bidIncrement, using: &rng)
            let max: Int? =
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: nil
                case 1: amount - Int.random(in: 0...5, using: &rng)
                default: amount + Int.random(in: 0...2_000, using: &rng)
                }
            let currency = Int.random(in: 0..<30, using: &rng) == 0 ? Currency("USD") : nil
            reference = Swift.max(reference, amount)
            return F.bid(bidder, amount, max: max, currency: currency, at: at)
        }
    }

    @Test("prices never fall, stay within the leader's maximum and above every rival's", arguments: seeds)
    func invariants(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let terms = Self.terms(&rng)
        let bids = Self.bids(terms, &rng)
        var state = AuctionState.opening(terms, status: .active)
        var bestMax: [UUID: Int] = [:]
        var accepted = 0
        for bid in bids {
            let result = AuctionRules.place(bid, sellerID: F.seller, terms: terms, state: state)
            guard case .success(let outcome) = result else { continue }
            let next = outcome.state
            accepted += 1
            bestMax[bid.bidderID] = max(bestMax[bid.bidderID] ?? 0, bid.maxAmount ?? bid.amount)

            #expect(next.currentPrice >= state.currentPrice, "seed \(seed): the price fell")
            #expect(next.bidCount == accepted, "seed \(seed): bid count")
            #expect(next.endsAt >= state.endsAt, "seed \(seed): the end moved earlier")
            #expect(next.endsAt <= max(terms.latestEnd, state.endsAt), "seed \(seed): extended past the cap")
            #expect(outcome.extended == (next.endsAt != state.endsAt))
            #expect(outcome.priceBefore == state.currentPrice)
            #expect(outcome.leaderBefore == state.leaderID)
            #expect(outcome.leaderChanged == (next.leaderID != state.leaderID))
            if outcome.soldByBuyout {
                #expect(next.status == .sold && next.winnerID == bid.bidderID && next.finalPrice == terms.buyoutPrice)
                #expect(next.currentPrice == terms.buyoutPrice)
            } else {
                let leader = try #require(next.leaderID)
                let leaderMax = try #require(next.leaderMax)
                #expect(next.status == .active)
                #expect(next.currentPrice <= leaderMax, "seed \(seed): price above the leader's maximum")
                for (bidder, best) in bestMax where bidder != leader {
                    #expect(best <= leaderMax, "seed \(seed): a rival's maximum beats the leader's")
                    #expect(best <= next.currentPrice, "seed \(seed): the price is below a rival's maximum")
                }
                if let reserve = terms.reservePrice, leaderMax >= reserve {
                    #expect(next.currentPrice >= reserve, "seed \(seed): the reserve was not applied")
                }
            }
            state = next
        }
        #expect(AuctionRules.replay(bids, sellerID: F.seller, terms: terms, opening: .opening(terms, status: .active)) == state)

        let closed = AuctionRules.close(terms, state)
        #expect(AuctionRules.close(terms, closed) == closed)
        #expect(closed.status != .active)
        if closed.status == .sold {
            #expect(closed.winnerID == state.leaderID && closed.finalPrice == state.currentPrice)
            #expect(state.reserveMet(terms) || state.status == .sold)
        } else {
            #expect(state.leaderID == nil || !state.reserveMet(terms))
        }
    }

    @Test("replaying only the accepted bids gives the same state as replaying them all")
    func replaySkipsRejections() {
        var rng = SeededGenerator(seed: 0xA0C7)
        for _ in 0..<50 {
            let terms = Self.terms(&rng)
            let bids = Self.bids(terms, &rng)
            let opening = AuctionState.opening(terms, status: .active)
            var run = AuctionRun(terms)
            for bid in bids { run.place(bid) }
            #expect(AuctionRules.replay(bids, sellerID: F.seller, terms: terms, opening: opening) == run.state)
            #expect(AuctionRules.replay(run.accepted, sellerID: F.seller, terms: terms, opening: opening) == run.state)
            #expect(run.state.bidCount == run.accepted.count)
        }
    }

    @Test("the random sequences exercise every outcome the invariants speak about")
    func coverage() {
        var rng = SeededGenerator(seed: 1)
        var seen: Set<String> = []
        for seed in Self.seeds {
            rng = SeededGenerator(seed: seed)
            let terms = Self.terms(&rng)
            var run = AuctionRun(terms)
            for bid in Self.bids(terms, &rng) {
                switch run.place(bid) {
                case .failure(let rejection): seen.insert(rejection.code)
                case .success(let outcome):
                    if outcome.soldByBuyout { seen.insert("buyout") }
                    if outcome.extended { seen.insert("extended") }
                    if outcome.leaderChanged { seen.insert("leader changed") }
                    if !outcome.leaderChanged && outcome.state.currentPrice > outcome.priceBefore { seen.insert("defended") }
                }
            }
            if run.closed.status == .sold && run.state.status == .active { seen.insert("sold at close") }
            if run.closed.status == .unsold && run.state.leaderID != nil { seen.insert("reserve not met") }
        }
        let expected: Set<String> = [
            "buyout", "extended", "leader changed", "defended", "sold at close", "reserve not met",
            "bid.too_low", "bid.self_bid", "item.not_active", "item.ended", "item.not_started",
            "bid.currency_mismatch", "bid.max_below_amount",
        ]
        #expect(expected.subtracting(seen).isEmpty, "never seen: \(expected.subtracting(seen).sorted())")
    }
}
