import Foundation
import GavelCore

/// What a seller's change does to an item.
enum ItemChange: Sendable {
    case update(Item, event: String)
    case delete
}

/// A command for one item, applied by the worker that owns the item, in arrival order.
enum ItemCommand: Sendable {
    case bid(BidRequest, context: WriteContext, idempotency: IdempotencyClaim?)
    /// A seller's edit, cancel or delete; the closure checks the current item and may throw a
    /// `Problem` to refuse.
    case change(context: WriteContext, @Sendable (Item) throws -> ItemChange)
    /// Starts a scheduled item or closes an ended one, if due at `now`.
    case transition(now: Date)

    var isTransition: Bool {
        if case .transition = self { true } else { false }
    }

    var isBid: Bool {
        if case .bid = self { true } else { false }
    }
}

/// The verdict a worker gives a command, after the batch that holds it has committed.
enum CommandResult: Sendable {
    case bidAccepted(BidRecord, Item)
    case bidRejected(BidRejection, Item)
    /// A retry of an earlier bid with the same `Idempotency-Key`.
    case replayed(IdempotentResponse)
    case changed(Item?)
    case refused(Problem)
    case transitioned(Item?)
    case notFound
}

/// The `201` body of an accepted bid: `{bid, item}`, the item as the bidder sees it. Encoded by
/// the request handler, not the worker, so the worker's serial path stays short.
struct BidResponse: Encodable {
    let bid: BidRepresentation
    let item: ItemRepresentation

    /// The same bytes as `JSONCoding.encode(BidResponse(...))`, written directly.
    static func json(_ bid: BidRecord, _ item: Item) -> [UInt8] {
        var response = JSONObjectWriter(capacity: 1_024)
        response.field("bid") { BidRepresentation.write(bid, into: &$0) }
        response.field("item") { ItemRepresentation.write(item, viewer: bid.bidderID, into: &$0) }
        return response.finish()
    }
}

/// The payload of `bid.placed`: the bid and what a live page shows of the item. Kept small:
/// every bid writes one, inside the batch's transaction.
struct BidPlacedPayload: Encodable {
    struct ItemSummary: Encodable {
        let id: String
        let status: String
        let currentPrice: Int
        let bidCount: Int
        let leadingBidderID: String?
        let reserveMet: Bool
        let endsAt: String
        let version: Int

        enum CodingKeys: String, CodingKey {
            case id, status, version
            case currentPrice = "current_price", bidCount = "bid_count", leadingBidderID = "leading_bidder_id"
            case reserveMet = "reserve_met", endsAt = "ends_at"
        }
    }

    let bid: BidRepresentation
    let item: ItemSummary

    /// The same bytes as `JSONCoding.encode(BidPlacedPayload(bid, item))`, written directly:
    /// every accepted bid builds one on the worker's serial path.
    static func json(_ bid: BidRecord, _ item: Item) -> [UInt8] {
        var payload = JSONObjectWriter(capacity: 512)
        payload.field("bid") { BidRepresentation.write(bid, into: &$0) }
        payload.field("item") { summary in
            summary.field("bid_count", item.state.bidCount)
            summary.field("current_price", item.state.currentPrice)
            summary.field("ends_at", item.state.endsAt)
            summary.field("id", item.id)
            summary.field("leading_bidder_id", item.state.leaderID)
            summary.field("reserve_met", item.state.reserveMet(item.terms))
            summary.field("status", item.state.status.rawValue)
            summary.field("version", item.version)
        }
        return payload.finish()
    }

    init(_ bid: BidRecord, _ item: Item) {
        self.bid = BidRepresentation(bid)
        self.item = ItemSummary(
            id: item.id.text, status: item.state.status.rawValue, currentPrice: item.state.currentPrice,
            bidCount: item.state.bidCount, leadingBidderID: item.state.leaderID?.text, reserveMet: item.state.reserveMet(item.terms),
            endsAt: Timestamp.format(item.state.endsAt), version: item.version)
    }
}
