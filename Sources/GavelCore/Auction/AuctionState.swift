import Foundation

/// What bidding has made of an auction so far. Every accepted bid and the close produce a new value.
public struct AuctionState: Sendable, Equatable {
    public var status: ItemStatus
    /// The price everyone sees: the start price before the first bid.
    public var currentPrice: Int
    /// Accepted bids, including ones that were outbid by a proxy at once and a leader's raises.
    public var bidCount: Int
    public var leaderID: UUID?
    /// The leader's proxy maximum. Secret: never shown to anyone but the leader.
    public var leaderMax: Int?
    /// The current end, after extensions.
    public var endsAt: Date
    public var winnerID: UUID?
    public var finalPrice: Int?

    public init(
        status: ItemStatus, currentPrice: Int, bidCount: Int = 0, leaderID: UUID? = nil, leaderMax: Int? = nil,
        endsAt: Date, winnerID: UUID? = nil, finalPrice: Int? = nil
    ) {
        self.status = status
        self.currentPrice = currentPrice
        self.bidCount = bidCount
        self.leaderID = leaderID
        self.leaderMax = leaderMax
        self.endsAt = endsAt
        self.winnerID = winnerID
        self.finalPrice = finalPrice
    }

    /// The state of an item nobody has bid on: start price, no bids, the scheduled end.
    public static func opening(_ terms: AuctionTerms, status: ItemStatus) -> AuctionState {
        AuctionState(status: status, currentPrice: terms.startPrice, endsAt: terms.endsAt)
    }

    /// True when there is no reserve, or when someone leads at a price that reaches it. What
    /// non-sellers see instead of the reserve itself.
    public func reserveMet(_ terms: AuctionTerms) -> Bool {
        guard let reserve = terms.reservePrice else { return true }
        return leaderID != nil && currentPrice >= reserve
    }

    /// An active auction whose (extended) end has come: the closer should close it now.
    public func isDueToClose(at now: Date) -> Bool {
        status == .active && now >= endsAt
    }
}
