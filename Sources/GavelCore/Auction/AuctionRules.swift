import Foundation

/// The rules of an English auction with proxy bidding (SPEC §5 "Bid rules"), as pure functions of
/// the terms, the current state and one bid. The engine applies them inside its transaction; tests
/// and consistency checks replay them.
///
/// A bid is judged in this order; the first failing check is the answer:
/// 1. the item is `active` — else `notActive` (drafts, scheduled, sold, unsold, cancelled alike);
/// 2. `at >= terms.startsAt` — else `notStarted`;
/// 3. `at < state.endsAt` (the current, extended end) — else `ended`;
/// 4. the bidder is not the seller — else `selfBid`;
/// 5. the bid's currency, when given, is the item's — else `currencyMismatch`;
/// 6. `0 < amount <= maxAmount` — else `invalidAmount`;
/// 7. `maxAmount`, when given, is not below `amount` — else `maxBelowAmount`; and not above
///    the `maxAmount` ceiling — else `invalidAmount`;
/// 8. buy-now, the leader's raise, or an ordinary bid, each with its own `tooLow` rule (below).
public enum AuctionRules {
    /// The largest amount or maximum a bid may name: the ceiling on product prices, so no sum of
    /// a price and an increment can overflow.
    public static let maxAmount = ProductRules.maxPrice

    /// The least `amount` a new bid may have: the start price while nobody leads, else the
    /// current price plus one increment. (A buy-now bid and a leader's raise follow their own rules.)
    public static func minimumBid(_ terms: AuctionTerms, _ state: AuctionState) -> Int {
        state.leaderID == nil ? terms.startPrice : saturatingSum(state.currentPrice, terms.bidIncrement)
    }

    /// Applies one bid atomically; a rejection leaves the state unchanged (the caller keeps the old one).
    ///
    /// With `M` the bid's effective maximum (`maxAmount ?? amount`) and `L` the leader's maximum:
    /// - **Buy-now** — while the current price is below `buyoutPrice`, a bid whose `amount` reaches
    ///   it sells the item at once to that bidder at exactly `buyoutPrice` (even when that is less
    ///   than current price + increment, and even if another bidder's secret maximum is higher: a
    ///   maximum is a willingness to be bid up, not an offer to buy). A maximum alone never buys.
    ///   Once bidding has carried the price to the buyout price or beyond, buy-now is gone and
    ///   such a bid is an ordinary one. A buy-now does not extend the end.
    /// - **The leader bids again** — this only raises their own maximum: `M` must exceed `L`
    ///   (else `tooLow`); `amount` is not held to the minimum bid and the price does not move,
    ///   since nobody bids against themselves (the hidden-reserve rule can still lift it).
    /// - **Anyone else** — `amount >= minimumBid` (else `tooLow`). The first bid leads at its
    ///   `amount`. Otherwise, if `M > L` the bidder leads at `max(amount, min(M, L + increment))`;
    ///   if `M <= L` the leader stays (equal maxima: the earlier bid wins) at
    ///   `max(amount, min(L, M + increment))`, and the outbid bid is still accepted and counted.
    ///   Either way the price ends up at least every other bidder's maximum and at most the
    ///   leader's: the eBay second-price rule, with a visible `amount` as a floor.
    /// - **Hidden reserve** — when the price is below the reserve and the leader's maximum reaches
    ///   it, the price jumps to the reserve.
    /// - **Soft close** — see `softCloseEnd(_:currentEnd:bidAt:)`; every accepted bid but a buy-now
    ///   counts, including an outbid one and a leader's raise.
    ///
    /// Every accepted bid adds one to `bidCount`; the price never goes down.
    public static func place(
        _ bid: BidRequest, sellerID: UUID, terms: AuctionTerms, state: AuctionState
    ) -> Result<BidOutcome, BidRejection> {
        if let rejection = admission(bid, sellerID: sellerID, terms: terms, state: state) {
            return .failure(rejection)
        }
        var next = state
        var soldByBuyout = false
        if let buyout = terms.buyoutPrice, state.currentPrice < buyout, bid.amount >= buyout {
            next.status = .sold
            next.currentPrice = buyout
            next.leaderID = bid.bidderID
            next.leaderMax = bid.effectiveMax
            next.winnerID = bid.bidderID
            next.finalPrice = buyout
            soldByBuyout = true
        } else if let leader = state.leaderID, leader == bid.bidderID {
            guard bid.effectiveMax > leaderMaximum(state) else { return .failure(.tooLow) }
            next.leaderMax = bid.effectiveMax
        } else {
            guard bid.amount >= minimumBid(terms, state) else { return .failure(.tooLow) }
            compete(bid, increment: terms.bidIncrement, state: &next)
        }
        if !soldByBuyout {
            liftToReserve(terms, &next)
            next.endsAt = softCloseEnd(terms, currentEnd: state.endsAt, bidAt: bid.at)
        }
        next.bidCount += 1
        return .success(
            BidOutcome(
                state: next, priceBefore: state.currentPrice, leaderBefore: state.leaderID,
                extended: next.endsAt != state.endsAt, soldByBuyout: soldByBuyout,
                leaderChanged: next.leaderID != state.leaderID))
    }

    /// The end after an accepted bid at `bidAt`. A bid at most `extensionThreshold` before the
    /// current end moves it to the later of itself and `bidAt + extensionDuration`, but never past
    /// `terms.latestEnd` (scheduled end + `maxExtension`); the end never moves earlier. A
    /// threshold of 0 (or less) turns soft close off, since an accepted bid is always before the end.
    public static func softCloseEnd(_ terms: AuctionTerms, currentEnd: Date, bidAt: Date) -> Date {
        guard currentEnd.timeIntervalSince(bidAt) <= terms.extensionThreshold else { return currentEnd }
        let proposed = min(bidAt.addingTimeInterval(terms.extensionDuration), terms.latestEnd)
        return max(currentEnd, proposed)
    }

    // MARK: - Steps of `place`

    private static func admission(
        _ bid: BidRequest, sellerID: UUID, terms: AuctionTerms, state: AuctionState
    ) -> BidRejection? {
        if state.status != .active { return .notActive }
        if bid.at < terms.startsAt { return .notStarted }
        if bid.at >= state.endsAt { return .ended }
        if bid.bidderID == sellerID { return .selfBid }
        if let currency = bid.currency, currency != terms.currency { return .currencyMismatch }
        if bid.amount <= 0 || bid.amount > maxAmount { return .invalidAmount }
        if let maximum = bid.maxAmount {
            if maximum < bid.amount { return .maxBelowAmount }
            if maximum > maxAmount { return .invalidAmount }
        }
        return nil
    }

    /// A bid from someone other than the leader, already known to reach the minimum.
    private static func compete(_ bid: BidRequest, increment: Int, state: inout AuctionState) {
        let bidMax = bid.effectiveMax
        guard state.leaderID != nil else {
            state.leaderID = bid.bidderID
            state.leaderMax = bidMax
            state.currentPrice = bid.amount
            return
        }
        let leaderMax = leaderMaximum(state)
        if bidMax > leaderMax {
            state.leaderID = bid.bidderID
            state.leaderMax = bidMax
            state.currentPrice = max(bid.amount, min(bidMax, saturatingSum(leaderMax, increment)))
        } else {
            state.currentPrice = max(bid.amount, min(leaderMax, saturatingSum(bidMax, increment)))
        }
    }

    private static func liftToReserve(_ terms: AuctionTerms, _ state: inout AuctionState) {
        guard let reserve = terms.reservePrice, state.currentPrice < reserve,
            let leaderMax = state.leaderMax, leaderMax >= reserve
        else { return }
        state.currentPrice = reserve
    }

    /// The leader's maximum, never taken below the price (a state read back without one is
    /// treated as a leader whose maximum is the price itself).
    private static func leaderMaximum(_ state: AuctionState) -> Int {
        max(state.leaderMax ?? state.currentPrice, state.currentPrice)
    }

    static func saturatingSum(_ lhs: Int, _ rhs: Int) -> Int {
        let (sum, overflow) = lhs.addingReportingOverflow(rhs)
        return overflow ? (rhs > 0 ? Int.max : Int.min) : sum
    }
}
