import Foundation
import GavelCore

/// Items and bids: creation goes straight to storage (a new item has no contention); every
/// change to an existing item — a bid, an edit, cancel, delete, start, close — goes through the
/// bid engine worker that owns the item, so one writer applies them in order.
struct AuctionService: Sendable {
    let store: Store
    let catalog: ItemCatalog
    let engine: BidEngine
    let closer: AuctionCloser
    let defaults: AuctionDefaults
    let now: @Sendable () -> Date

    static func bidScope(_ item: UUID) -> String { "POST /api/v1/items/\(item.text)/bids" }

    static let createScope = "POST /api/v1/items"

    enum Creation: Sendable {
        case created(Item)
        /// A retry of an earlier request with the same `Idempotency-Key`.
        case replayed(IdempotentResponse)
    }

    /// Creates a listing. With an idempotency key, the answer (the seller's view, `body`) is
    /// stored in the same transaction, and a retry gets it back instead of a second listing.
    func create(
        _ draft: ItemDraft, publish: Bool, seller: UUID, context: WriteContext,
        idempotency: (key: String, hash: String)? = nil, body: @escaping @Sendable (Item) -> [UInt8] = { _ in [] }
    ) async throws -> Creation {
        if let idempotency, let stored = try await storedResponse(seller, idempotency) { return .replayed(stored) }
        let context = context.at(now())
        let validated = try ItemRules.validate(draft, now: context.now, defaults: defaults)
        let status: ItemStatus = !publish ? .draft : (validated.terms.startsAt > context.now ? .scheduled : .active)
        let item = Item(
            id: Identifier.make(at: context.now), sellerID: seller, name: validated.name, description: validated.description,
            terms: validated.terms, state: AuctionState.opening(validated.terms, status: status),
            extensionOverridden: validated.extensionOverridden, version: 1, createdAt: context.now, updatedAt: context.now)
        let claim = idempotency.map { IdempotencyClaim(userID: seller, scope: Self.createScope, key: $0.key, requestHash: $0.hash) }
        do {
            _ = try await store.write("item.create", { db in
                try ItemRecords.insert(item, in: db)
                if let claim {
                    let response = IdempotentResponse(
                        requestHash: claim.requestHash, status: 201, location: "/api/v1/items/\(item.id.text)", body: body(item))
                    try IdempotencyRecords.insert(claim, response: response, at: context.now, in: db)
                }
                // The feed is public and a draft is its seller's alone: the feed first hears of
                // a draft when it is published (see `BatchApplier`).
                if status != .draft {
                    try Outbox.append(
                        [OutboxEvent("item.created", subject: item.id, payload: ItemRepresentation.json(item), at: context.now)],
                        context: context, in: db)
                }
                return item
            }, afterCommit: catalog.upsert)
        } catch is IdempotencyRecords.KeyInUse {
            // A concurrent request with the same key won; answer as its retry would be answered.
            guard let idempotency, let stored = try await storedResponse(seller, idempotency) else {
                throw Problem.idempotencyConflict
            }
            return .replayed(stored)
        }
        closer.rearm()
        return .created(item)
    }

    private func storedResponse(_ seller: UUID, _ idempotency: (key: String, hash: String)) async throws -> IdempotentResponse? {
        let stored = try await store.read("idempotency.find") { db in
            try IdempotencyRecords.find(userID: seller, scope: Self.createScope, key: idempotency.key, in: db)
        }
        return try IdempotentResponse.replay(stored, for: idempotency.hash)
    }

    /// The item as `viewer` may see it: a draft is its seller's alone.
    func item(_ id: UUID, viewer: UUID?) -> Item? {
        guard let item = catalog.find(id), item.state.status != .draft || item.sellerID == viewer else { return nil }
        return item
    }

    func bid(on id: UUID, _ request: BidRequest, context: WriteContext, idempotency: IdempotencyClaim?) async throws -> CommandResult {
        try await engine.submit(id, .bid(request, context: context.at(request.at), idempotency: idempotency))
    }

    /// Applies a seller's change in the item's worker, after checking who may make it.
    func change(
        _ id: UUID, by user: UUID, ifMatch: String?, context: WriteContext,
        _ change: @escaping @Sendable (Item) throws -> ItemChange
    ) async throws -> Item? {
        let result = try await engine.submit(id, .change(context: context.at(now())) { item in
            guard item.sellerID == user else {
                // Another seller's draft does not exist for this caller.
                if item.state.status == .draft { throw Problem.notFound("item", code: "item.not_found") }
                throw Problem(.forbidden, code: "item.not_owner", detail: "Only the seller may change this item.")
            }
            guard EntityTag.ifMatch(ifMatch, version: item.version) else { throw Problem.preconditionFailed }
            return try change(item)
        })
        switch result {
        case .changed(let item):
            closer.rearm()
            return item
        case .refused(let problem): throw problem
        case .notFound: throw Problem.notFound("item", code: "item.not_found")
        default: throw Problem(.conflict, code: "item.conflict", detail: "The item cannot be changed now.")
        }
    }

    func bids(of id: UUID, page: PageRequest) async throws -> (bids: [BidRecord], total: Int) {
        let (seqs, total) = catalog.bidSeqs(of: id, page: page)
        guard !seqs.isEmpty else { return ([], total) }
        return (try await store.read("bid.list") { db in try ItemRecords.bids(seqs: seqs, in: db) }, total)
    }
}

/// The checks shared by edits, cancel and delete.
enum ItemChangeRules {
    static let hasBids = Problem(.conflict, code: "item.has_bids", detail: "The item has bids; its prices and times are fixed.")
    static let notOpen = Problem(.conflict, code: "item.not_open", detail: "The item is closed or cancelled.")
    static let draft = Problem(
        .conflict, code: "item.draft", detail: "A draft was never published, so there is no auction to cancel; delete it instead.")
    static let ended = Problem(.conflict, code: BidRejection.ended.rawValue, detail: "The auction has ended and is being closed.")
    static let started = Problem(
        .conflict, code: "item.started", detail: "The auction has started; its start time is fixed.",
        errors: [FieldError(field: "starts_at", message: "cannot change once the auction has started")])

    /// Open: not closed or cancelled, and not past its end. An item whose end has passed is the
    /// closer's within a second; until then it takes no change that could revive or cancel it.
    static func requireOpen(_ item: Item, now: Date) throws {
        guard [.draft, .scheduled, .active].contains(item.state.status) else { throw notOpen }
        guard item.state.status != .active || item.state.endsAt > now else { throw ended }
    }

    /// A started auction's start stays where it is; sending it back unchanged is not a move.
    static func requireStartKept(_ item: Item, _ startsAt: Date?) throws {
        guard item.state.status == .active, let startsAt else { return }
        guard startsAt.unixMillis == item.terms.startsAt.unixMillis else { throw started }
    }

    /// Cancelling calls off a published auction. A draft has none, and a cancelled draft would
    /// have been the public's to read and announced on the feed.
    static func requirePublished(_ item: Item) throws {
        guard item.state.status != .draft else { throw draft }
    }

    static func requireNoBids(_ item: Item) throws {
        guard !item.hasBids else { throw hasBids }
    }
}
