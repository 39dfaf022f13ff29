import Foundation
import GavelCore
import HTTPTypes
import Hummingbird
import NIOCore

/// `/api/v1/items`: auction listings, bids, and each item's live event stream.
struct ItemController: Sendable {
    let service: AuctionService
    let maxBodyBytes: Int
    let heartbeat: Duration

    static let collection = "/api/v1/items"
    static let item = "/api/v1/items/{id}"
    static let bidsTemplate = "/api/v1/items/{id}/bids"
    static let cancelTemplate = "/api/v1/items/{id}/cancel"
    /// Bids and a seller's changes wait on the item's worker, which cancellation cannot reach, so
    /// they answer the request deadline themselves: after reading the body, and while the
    /// command is queued (`RequestLimitsMiddleware`).
    static let selfTimed = [
        RouteTemplate(.post, bidsTemplate), RouteTemplate(.patch, item), RouteTemplate(.delete, item),
        RouteTemplate(.post, cancelTemplate),
    ]

    func addRoutes(to router: Router<AppRequestContext>, table: RouteTable) {
        router.route(.get, Self.collection, in: table, use: list)
        router.route(.get, Self.item, in: table, use: get)
        router.route(.get, Self.bidsTemplate, in: table, use: bids)
        router.route(.get, "\(Self.item)/events", in: table, use: events)
        let authenticated = router.group(context: AuthenticatedContext.self)
        authenticated.route(.post, Self.collection, in: table, use: create)
        authenticated.route(.patch, Self.item, in: table, use: patch)
        authenticated.route(.delete, Self.item, in: table, use: delete)
        authenticated.route(.post, Self.cancelTemplate, in: table, use: cancel)
        authenticated.route(.post, Self.bidsTemplate, in: table, use: placeBid)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (query, page) = try ListParameters.items(request.uri.formParameters, viewer: context.user?.id)
        let (items, total) = await service.catalog.list(query, page: page)
        return try Self.page(items.map { ItemRepresentation($0, viewer: context.user?.id) }, page: page, total: total)
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> Response {
        let item = try found(context.parameters.get("id"), viewer: context.user?.id)
        return Self.itemResponse(item, viewer: context.user?.id)
    }

    @Sendable func create(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let (body, raw) = try await request.decodeStrict(CreateItemBody.self, limit: maxBodyBytes)
        let idempotency = try IdempotencyKey.read(request).map { (key: $0, hash: IdempotencyKey.hash(raw)) }
        let (draft, publish) = try body.draft()
        let seller = context.user.id
        switch try await service.create(
            draft, publish: publish, seller: seller, context: context.writeContext, idempotency: idempotency,
            body: { item in ItemRepresentation.json(item, viewer: seller) })
        {
        case .created(let item):
            var response = Self.itemResponse(item, viewer: seller, status: .created)
            response.headers[.location] = "\(Self.collection)/\(item.id.text)"
            return response
        case .replayed(let stored):
            return stored.response
        }
    }

    @Sendable func patch(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try Self.id(context.parameters.get("id"))
        let (body, _) = try await request.decodeStrict(PatchItemBody.self, limit: maxBodyBytes, accepting: JSONMediaType.mergePatch)
        try RequestDeadline.check()
        let defaults = service.defaults
        let now = service.now
        let updated = try await service.change(
            id, by: context.user.id, ifMatch: request.headers[.ifMatch], context: context.writeContext
        ) { item in
            try ItemChangeRules.requireOpen(item, now: now())
            if body.touchesTerms { try ItemChangeRules.requireNoBids(item) }
            let (draft, publish) = try body.merged(into: item)
            try ItemChangeRules.requireStartKept(item, draft.startsAt)
            var changed = item
            // Publishing a draft or changing terms re-validates the whole listing (a start in the
            // past means now, unless the auction has started). `"status": "active"` on an item
            // already published changes nothing: re-validating would put back the scheduled end
            // and undo a soft-close extension.
            if body.touchesTerms || (publish == true && item.state.status == .draft) {
                let started = item.state.status == .active ? (item.terms.startsAt, item.state.endsAt) : nil
                let validated = try ItemRules.validate(draft, now: now(), defaults: defaults, started: started)
                changed.terms = validated.terms
                changed.extensionOverridden = validated.extensionOverridden
                changed.state.endsAt = validated.terms.endsAt
                if !item.hasBids { changed.state.currentPrice = validated.terms.startPrice }
            }
            (changed.name, changed.description) = try ItemRules.validateText(draft)
            if let publish {
                guard item.state.status == .draft || publish else {
                    throw Problem(.conflict, code: "item.published", detail: "A published item cannot become a draft again.")
                }
                if publish && item.state.status == .draft {
                    changed.state.status = changed.terms.startsAt > now() ? .scheduled : .active
                }
            }
            return .update(changed, event: "item.updated")
        }
        guard let updated else { throw Problem.notFound("item", code: "item.not_found") }
        return Self.itemResponse(updated, viewer: context.user.id)
    }

    @Sendable func delete(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try Self.id(context.parameters.get("id"))
        _ = try await service.change(
            id, by: context.user.id, ifMatch: request.headers[.ifMatch], context: context.writeContext
        ) { item in
            try ItemChangeRules.requireNoBids(item)
            return .delete
        }
        return Response(status: .noContent)
    }

    @Sendable func cancel(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try Self.id(context.parameters.get("id"))
        let now = service.now
        let updated = try await service.change(
            id, by: context.user.id, ifMatch: request.headers[.ifMatch], context: context.writeContext
        ) { item in
            try ItemChangeRules.requirePublished(item)
            try ItemChangeRules.requireOpen(item, now: now())
            try ItemChangeRules.requireNoBids(item)
            var cancelled = item
            cancelled.state.status = .cancelled
            return .update(cancelled, event: "item.cancelled")
        }
        guard let updated else { throw Problem.notFound("item", code: "item.not_found") }
        return Self.itemResponse(updated, viewer: context.user.id)
    }

    @Sendable func placeBid(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try Self.id(context.parameters.get("id"))
        guard service.catalog.isVisible(id, to: context.user.id) else { throw Problem.notFound("item", code: "item.not_found") }
        let (body, raw) = try await request.decodeStrict(BidBody.self, limit: maxBodyBytes)
        try RequestDeadline.check()
        var currency: Currency?
        if let code = body.currency {
            currency = Currency(code)
            if currency == nil { throw Problem.validation(ValidationFailure(field: "currency", "must be an ISO 4217 currency code")) }
        }
        let claim = try IdempotencyKey.read(request).map { key in
            IdempotencyClaim(
                userID: context.user.id, scope: AuctionService.bidScope(id), key: key, requestHash: IdempotencyKey.hash(raw))
        }
        let bid = BidRequest(
            bidderID: context.user.id, amount: body.amount, maxAmount: body.maxAmount, currency: currency, at: service.now())
        switch try await service.bid(on: id, bid, context: context.writeContext, idempotency: claim) {
        case .bidAccepted(let bid, let item):
            return Response.json(ByteBuffer(bytes: BidResponse.json(bid, item)), status: .created)
        case .replayed(let stored):
            return stored.response
        case .bidRejected(let rejection, let item):
            throw Self.problem(rejection, item, bidder: context.user.id)
        case .refused(let problem):
            throw problem
        default:
            throw Problem.notFound("item", code: "item.not_found")
        }
    }

    @Sendable func bids(_ request: Request, context: AppRequestContext) async throws -> Response {
        let item = try found(context.parameters.get("id"), viewer: context.user?.id)
        let page = try ListParameters.page(request.uri.formParameters)
        let (bids, total) = try await service.bids(of: item.id, page: page)
        return try Self.page(bids.map(BidRepresentation.init), page: page, total: total)
    }

    @Sendable func events(_ request: Request, context: AppRequestContext) async throws -> Response {
        let item = try found(context.parameters.get("id"), viewer: context.user?.id)
        return EventController.stream(store: service.store, start: try EventController.start(request), subject: item.id, heartbeat: heartbeat)
    }

    /// A rejected bid: 409 when the item's state refuses bids, 422 when the bid itself is wrong.
    static func problem(_ rejection: BidRejection, _ item: Item, bidder: UUID) -> Problem {
        let minimum = AuctionRules.minimumBid(item.terms, item.state)
        switch rejection {
        case .notActive: return Problem(.conflict, code: rejection.rawValue, detail: "The item is \(item.state.status.rawValue), not taking bids.")
        case .ended: return Problem(.conflict, code: rejection.rawValue, detail: "The auction has ended.")
        case .notStarted: return Problem(.conflict, code: rejection.rawValue, detail: "The auction has not started yet.")
        case .tooLow where item.state.leaderID == bidder:
            return Problem(
                .unprocessableContent, code: rejection.rawValue,
                detail: "You already lead; a new bid must raise your maximum above your current one.",
                errors: [FieldError(field: "max_amount", message: "must be above your current maximum")])
        case .tooLow:
            return Problem(
                .unprocessableContent, code: rejection.rawValue, detail: "The lowest acceptable bid is \(minimum) \(item.terms.currency.code).",
                errors: [FieldError(field: "amount", message: "must be at least \(minimum)")])
        case .selfBid: return Problem(.unprocessableContent, code: rejection.rawValue, detail: "Sellers cannot bid on their own items.")
        case .currencyMismatch:
            return Problem(
                .unprocessableContent, code: rejection.rawValue, detail: "This item is sold in \(item.terms.currency.code).",
                errors: [FieldError(field: "currency", message: "must be \(item.terms.currency.code)")])
        case .invalidAmount:
            return Problem(
                .unprocessableContent, code: rejection.rawValue, detail: "The amount must be a positive whole number of minor units within the price limit.",
                errors: [FieldError(field: "amount", message: "must be between 1 and \(AuctionRules.maxAmount)")])
        case .maxBelowAmount:
            return Problem(
                .unprocessableContent, code: rejection.rawValue, detail: "max_amount must be at least amount.",
                errors: [FieldError(field: "max_amount", message: "must be at least amount")])
        }
    }

    private func found(_ text: String?, viewer: UUID?) throws -> Item {
        guard let item = service.item(try Self.id(text), viewer: viewer) else { throw Problem.notFound("item", code: "item.not_found") }
        return item
    }

    private static func id(_ text: String?) throws -> UUID {
        guard let id = text.flatMap(Identifier.parse) else { throw Problem.notFound("item", code: "item.not_found") }
        return id
    }

    static func itemResponse(_ item: Item, viewer: UUID?, status: HTTPResponse.Status = .ok) -> Response {
        var response = Response.json(ByteBuffer(bytes: ItemRepresentation.json(item, viewer: viewer)), status: status)
        response.headers[.eTag] = EntityTag.make(version: item.version)
        return response
    }

    static func page<Element: Encodable>(_ data: [Element], page: PageRequest, total: Int) throws -> Response {
        Response.json(ByteBuffer(bytes: try JSONCoding.encode(ListPage(data: data, page: page.page, pageSize: page.size, total: total))))
    }
}

/// `{"data": [...], "page", "page_size", "total"}`, the shape of every list.
struct ListPage<Element: Encodable>: Encodable {
    let data: [Element]
    let page: Int
    let pageSize: Int
    let total: Int
    enum CodingKeys: String, CodingKey { case data, page, total, pageSize = "page_size" }
}
