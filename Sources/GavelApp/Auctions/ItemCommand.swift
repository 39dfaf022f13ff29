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
}

/// The verdict a worker gives a command, after the batch that holds it has committed.
enum CommandResult: Sendable {
    case bidAccepted(BidRecord, Item, body: [UInt8])
    case bidRejected(BidRejection, Item)
    /// A retry of an earlier bid with the same `Idempotency-Key`.
    case replayed(IdempotentResponse)
    case changed(Item?)
    case refused(Problem)
    case transitioned(Item?)
    case notFound
}

/// The `201` body of an accepted bid: `{bid, item}`.
struct BidResponse: Encodable {
    let bid: BidRepresentation
    let item: ItemRepresentation

    static func json(_ bid: BidRecord, _ item: Item) -> [UInt8] {
        (try? JSONCoding.encode(BidResponse(bid: BidRepresentation(bid), item: ItemRepresentation(item, viewer: bid.bidderID)))) ?? []
    }
}
