import Foundation
import GavelCore

/// An item as the API and its events show it. The reserve price is the seller's secret:
/// everyone else sees only whether it is met.
struct ItemRepresentation: Encodable, Sendable {
    let id: String
    let sellerID: String
    let name: String
    let description: String
    let currency: String
    let startPrice: Int
    let bidIncrement: Int
    let reservePrice: Int?
    let reserveMet: Bool
    let buyoutPrice: Int?
    let startsAt: String
    let endsAt: String
    let status: String
    let currentPrice: Int
    let bidCount: Int
    let leadingBidderID: String?
    let winnerID: String?
    let finalPrice: Int?
    let extensionThresholdSeconds: Int
    let extensionDurationSeconds: Int
    let version: Int
    let createdAt: String
    let updatedAt: String

    enum CodingKeys: String, CodingKey {
        case id, name, description, currency, status, version
        case sellerID = "seller_id", startPrice = "start_price", bidIncrement = "bid_increment"
        case reservePrice = "reserve_price", reserveMet = "reserve_met", buyoutPrice = "buyout_price"
        case startsAt = "starts_at", endsAt = "ends_at", currentPrice = "current_price", bidCount = "bid_count"
        case leadingBidderID = "leading_bidder_id", winnerID = "winner_id", finalPrice = "final_price"
        case extensionThresholdSeconds = "extension_threshold_seconds"
        case extensionDurationSeconds = "extension_duration_seconds"
        case createdAt = "created_at", updatedAt = "updated_at"
    }

    /// - Parameter viewer: who is looking; only the seller sees `reserve_price`.
    init(_ item: Item, viewer: UUID?) {
        id = item.id.text
        sellerID = item.sellerID.text
        name = item.name
        description = item.description
        currency = item.terms.currency.code
        startPrice = item.terms.startPrice
        bidIncrement = item.terms.bidIncrement
        reservePrice = viewer == item.sellerID ? item.terms.reservePrice : nil
        reserveMet = item.state.reserveMet(item.terms)
        buyoutPrice = item.terms.buyoutPrice
        startsAt = Timestamp.format(item.terms.startsAt)
        endsAt = Timestamp.format(item.state.endsAt)
        status = item.state.status.rawValue
        currentPrice = item.state.currentPrice
        bidCount = item.state.bidCount
        leadingBidderID = item.state.leaderID?.text
        winnerID = item.state.winnerID?.text
        finalPrice = item.state.finalPrice
        extensionThresholdSeconds = Int(item.terms.extensionThreshold)
        extensionDurationSeconds = Int(item.terms.extensionDuration)
        version = item.version
        createdAt = Timestamp.format(item.createdAt)
        updatedAt = Timestamp.format(item.updatedAt)
    }

    /// The item as `viewer` sees it (no viewer: the public view, for events, which anyone can
    /// read). The same bytes as `JSONCoding.encode(ItemRepresentation(item, viewer:))`, written
    /// directly: it is every item response, bid response and item event.
    static func json(_ item: Item, viewer: UUID? = nil) -> [UInt8] {
        var object = JSONObjectWriter(capacity: 640)
        write(item, viewer: viewer, into: &object)
        return object.finish()
    }

    /// Writes the item's fields into `object`.
    static func write(_ item: Item, viewer: UUID?, into object: inout JSONObjectWriter) {
        let terms = item.terms, state = item.state
        object.field("bid_count", state.bidCount)
        object.field("bid_increment", terms.bidIncrement)
        object.field("buyout_price", terms.buyoutPrice)
        object.field("created_at", item.createdAt)
        object.field("currency", terms.currency.code)
        object.field("current_price", state.currentPrice)
        object.field("description", item.description)
        object.field("ends_at", state.endsAt)
        object.field("extension_duration_seconds", Int(terms.extensionDuration))
        object.field("extension_threshold_seconds", Int(terms.extensionThreshold))
        object.field("final_price", state.finalPrice)
        object.field("id", item.id)
        object.field("leading_bidder_id", state.leaderID)
        object.field("name", item.name)
        object.field("reserve_met", state.reserveMet(terms))
        object.field("reserve_price", viewer == item.sellerID ? terms.reservePrice : nil)
        object.field("seller_id", item.sellerID)
        object.field("start_price", terms.startPrice)
        object.field("starts_at", terms.startsAt)
        object.field("status", state.status.rawValue)
        object.field("updated_at", item.updatedAt)
        object.field("version", item.version)
        object.field("winner_id", state.winnerID)
    }
}

/// A bid as the bid history shows it. The proxy maximum stays secret.
struct BidRepresentation: Encodable, Sendable {
    let id: String
    let itemID: String
    let bidderID: String
    let amount: Int
    let priceAfter: Int
    let leading: Bool
    let createdAt: String

    enum CodingKeys: String, CodingKey {
        case id, amount, leading
        case itemID = "item_id", bidderID = "bidder_id", priceAfter = "price_after", createdAt = "created_at"
    }

    /// Writes the fields of `JSONCoding.encode(BidRepresentation(bid))` into `object`.
    static func write(_ bid: BidRecord, into object: inout JSONObjectWriter) {
        object.field("amount", bid.amount)
        object.field("bidder_id", bid.bidderID)
        object.field("created_at", bid.createdAt)
        object.field("id", bid.id)
        object.field("item_id", bid.itemID)
        object.field("leading", bid.leaderAfter == bid.bidderID)
        object.field("price_after", bid.priceAfter)
    }

    init(_ bid: BidRecord) {
        id = bid.id.text
        itemID = bid.itemID.text
        bidderID = bid.bidderID.text
        amount = bid.amount
        priceAfter = bid.priceAfter
        leading = bid.leaderAfter == bid.bidderID
        createdAt = Timestamp.format(bid.createdAt)
    }
}
