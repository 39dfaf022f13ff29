import Foundation
import GavelCore

/// An auction listing: its fixed terms and its evolving state.
struct Item: Sendable, Equatable {
    let id: UUID
    let sellerID: UUID
    var name: String
    var description: String
    var terms: AuctionTerms
    var state: AuctionState
    /// True when the seller chose the anti-sniping settings instead of the configured defaults.
    var extensionOverridden: Bool
    var version: Int
    let createdAt: Date
    var updatedAt: Date

    var hasBids: Bool { state.bidCount > 0 }
}

/// An accepted bid as stored, in commit order.
struct BidRecord: Sendable, Equatable {
    let id: UUID
    let itemID: UUID
    let bidderID: UUID
    let amount: Int
    let maxAmount: Int
    let priceAfter: Int
    let leaderAfter: UUID
    /// The leader's proxy maximum after this bid: with the price and leader, what a restart
    /// needs to bring the item up to date from this row. Secret; `nil` for bids stored before v5.
    let leaderMaxAfter: Int?
    let createdAt: Date
}
