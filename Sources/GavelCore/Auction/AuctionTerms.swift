import Foundation

/// The seller's terms for one auction. Fixed once the item has a bid.
public struct AuctionTerms: Sendable, Equatable {
    public var currency: Currency
    /// Minor units, > 0. The least first bid.
    public var startPrice: Int
    /// Minor units, > 0. The step between one price and the least next bid.
    public var bidIncrement: Int
    /// Hidden from everyone but the seller; others see `AuctionState.reserveMet(_:)`.
    public var reservePrice: Int?
    /// Greater than the start price when set.
    public var buyoutPrice: Int?
    public var startsAt: Date
    /// The scheduled end, before any extension.
    public var endsAt: Date
    /// A bid placed this close to the current end (or closer) extends it. 0 turns soft close off.
    public var extensionThreshold: TimeInterval
    /// How far past the bid's own time the end moves.
    public var extensionDuration: TimeInterval
    /// The cap on the total extension, measured from the scheduled end.
    public var maxExtension: TimeInterval

    public init(
        currency: Currency, startPrice: Int, bidIncrement: Int, reservePrice: Int? = nil, buyoutPrice: Int? = nil,
        startsAt: Date, endsAt: Date, extensionThreshold: TimeInterval, extensionDuration: TimeInterval,
        maxExtension: TimeInterval
    ) {
        self.currency = currency
        self.startPrice = startPrice
        self.bidIncrement = bidIncrement
        self.reservePrice = reservePrice
        self.buyoutPrice = buyoutPrice
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.extensionThreshold = extensionThreshold
        self.extensionDuration = extensionDuration
        self.maxExtension = maxExtension
    }

    /// The latest moment extensions can push the end to.
    public var latestEnd: Date { endsAt.addingTimeInterval(max(0, maxExtension)) }
}
