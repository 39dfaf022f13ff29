import Foundation

/// One bid as the bidder placed it, before the rules have judged it.
public struct BidRequest: Sendable, Equatable {
    public var bidderID: UUID
    /// The bid itself: the least the price becomes if the bid leads.
    public var amount: Int
    /// The proxy maximum; `nil` means the same as `amount`.
    public var maxAmount: Int?
    /// `nil` means the item's currency.
    public var currency: Currency?
    public var at: Date

    public init(bidderID: UUID, amount: Int, maxAmount: Int? = nil, currency: Currency? = nil, at: Date) {
        self.bidderID = bidderID
        self.amount = amount
        self.maxAmount = maxAmount
        self.currency = currency
        self.at = at
    }

    /// The most the bidder lets the proxy bid for them.
    public var effectiveMax: Int { maxAmount ?? amount }
}

/// Why a bid was refused. The raw value is the problem `code` clients see.
public enum BidRejection: String, Error, Sendable, Equatable, CaseIterable {
    case tooLow = "bid.too_low"
    case selfBid = "bid.self_bid"
    case notActive = "item.not_active"
    case ended = "item.ended"
    case notStarted = "item.not_started"
    case currencyMismatch = "bid.currency_mismatch"
    case invalidAmount = "bid.invalid_amount"
    case maxBelowAmount = "bid.max_below_amount"

    public var code: String { rawValue }

    /// A sentence for the problem's `detail`; it never reveals the reserve or anyone's maximum.
    public var message: String {
        switch self {
        case .tooLow: "the bid is below the minimum next bid (or does not raise your own maximum)"
        case .selfBid: "sellers cannot bid on their own items"
        case .notActive: "the item is not open for bidding"
        case .ended: "the auction has ended"
        case .notStarted: "the auction has not started yet"
        case .currencyMismatch: "the bid's currency is not the item's currency"
        case .invalidAmount: "the amount must be a positive whole number of minor units within the price limit"
        case .maxBelowAmount: "the maximum must not be below the amount"
        }
    }
}

/// The result of an accepted bid.
public struct BidOutcome: Sendable, Equatable {
    /// The new state.
    public var state: AuctionState
    public var priceBefore: Int
    public var leaderBefore: UUID?
    /// The end moved (soft close).
    public var extended: Bool
    /// The bid reached the buyout price and the item is sold.
    public var soldByBuyout: Bool
    public var leaderChanged: Bool

    public init(
        state: AuctionState, priceBefore: Int, leaderBefore: UUID?, extended: Bool, soldByBuyout: Bool,
        leaderChanged: Bool
    ) {
        self.state = state
        self.priceBefore = priceBefore
        self.leaderBefore = leaderBefore
        self.extended = extended
        self.soldByBuyout = soldByBuyout
        self.leaderChanged = leaderChanged
    }
}
