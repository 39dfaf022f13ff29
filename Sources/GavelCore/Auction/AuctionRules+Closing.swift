import Foundation

extension AuctionRules {
    /// The closed state at/after `endsAt` (the caller decides when; see
    /// `AuctionState.isDueToClose(at:)`): `sold` to the leader at the current price when someone
    /// leads and the reserve is met, else `unsold` with no winner or final price. Leader and
    /// maximum stay as they were, for the record. Non-active states (already closed, bought out,
    /// cancelled, never started) are returned unchanged, so closing twice is closing once.
    public static func close(_ terms: AuctionTerms, _ state: AuctionState) -> AuctionState {
        guard state.status == .active else { return state }
        var closed = state
        if let leader = state.leaderID, state.reserveMet(terms) {
            closed.status = .sold
            closed.winnerID = leader
            closed.finalPrice = state.currentPrice
        } else {
            closed.status = .unsold
            closed.winnerID = nil
            closed.finalPrice = nil
        }
        return closed
    }

    /// Replays bids in order from the opening state; rejected ones are skipped. For tests and
    /// consistency checks: the engine's stored item must equal the replay of its stored bids.
    public static func replay(
        _ bids: [BidRequest], sellerID: UUID, terms: AuctionTerms, opening: AuctionState
    ) -> AuctionState {
        bids.reduce(opening) { state, bid in
            switch place(bid, sellerID: sellerID, terms: terms, state: state) {
            case .success(let outcome): outcome.state
            case .failure: state
            }
        }
    }
}
