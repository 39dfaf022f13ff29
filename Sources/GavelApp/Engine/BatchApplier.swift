import Foundation
import GRDB
import GavelCore
import Logging

/// Applies a worker's batch: every command against the items' current state in memory, then
/// all the writes — bids, item states, outbox events, idempotency records — in one
/// transaction. Verdicts go out only after that commit: acknowledged means durable. A failed
/// commit is retried with backoff; if it keeps failing, the batch's bids are dead-lettered and
/// their callers get 503.
struct BatchApplier: Sendable {
    let store: Store
    let catalog: ItemCatalog
    let metrics: AuctionMetrics
    let logger: Logger
    /// Attempts before a batch is dead-lettered, and the pause before each retry.
    let retryDelays: [Duration] = [.milliseconds(10), .milliseconds(50), .milliseconds(250)]
    let onTransition: @Sendable () -> Void
    /// Reads the stored answers of these keys, in order (see `storedAnswers`); tests make it fail.
    var lookUp: @Sendable (Store, [IdempotencyClaim]) async throws -> [IdempotentResponse?] = BatchApplier.findStored

    /// Everything one batch writes, in order.
    struct Effects: Sendable {
        /// Items as the batch leaves them.
        var items: [UUID: Item] = [:]
        /// Items whose row must be rewritten: changed by more than plain bids, which their bid
        /// rows alone bring up to date (see `ItemRecords.loadAll`).
        var rows: Set<UUID> = []
        var deleted: Set<UUID> = []
        var bids: [BidRecord] = []
        var events: [(OutboxEvent, WriteContext)] = []
        var idempotency: [(IdempotencyClaim, IdempotentResponse)] = []
        var extensions = 0
        var closes: [String] = []
        var transitioned = false
    }

    func apply(_ commands: [BidWorker.Pending]) async {
        metrics.workerStarted()
        defer { metrics.workerFinished() }
        var batch = commands
        let answers = await storedAnswers(batch)
        while true {
            var effects = Effects()
            var results: [CommandResult] = []
            results.reserveCapacity(batch.count)
            for pending in batch {
                results.append(decide(pending, answers, &effects))
            }
            let start = ContinuousClock.now
            switch await commit(effects, claiming: batch) {
            case .dropped(let dropped):
                // Their callers had their 503 before the transaction began. Later commands may
                // have been decided on top of them: decide the rest again without them.
                batch = batch.enumerated().filter { !dropped.contains($0.offset) }.map(\.element)
                if batch.isEmpty { return }
            case .failed(let error):
                await deadLetter(zip(batch, results).compactMap { pending, result in
                    if case .bidAccepted = result, case .bid(let request, _, _) = pending.command { (pending.itemID, request) } else { nil }
                }, error: error)
                metrics.bids("failed", count: batch.count { if case .bid = $0.command { true } else { false } })
                // The callers learn only that nothing was recorded; the cause is in the log and the table.
                for pending in batch {
                    pending.verdict.resume(with: .failure(pending.command.isBid ? Self.bidNotRecorded : Self.changeNotRecorded))
                }
                return
            case .committed:
                metrics.commitDuration.recordInterval(since: start)
                metrics.batchSize.record(batch.count)
                record(results, effects, duration: ContinuousClock.now - start)
                if effects.transitioned { onTransition() }
                for (pending, result) in zip(batch, results) { pending.verdict.resume(with: .success(result)) }
                return
            }
        }
    }

    /// The item as this batch has left it so far.
    private func current(_ id: UUID, _ effects: Effects) -> Item? {
        if effects.deleted.contains(id) { return nil }
        return effects.items[id] ?? catalog.find(id)
    }

    private func decide(_ pending: BidWorker.Pending, _ answers: StoredAnswers, _ effects: inout Effects) -> CommandResult {
        guard var item = current(pending.itemID, effects) else { return .notFound }
        switch pending.command {
        case .bid(let request, let context, let claim):
            if let claim, let replay = storedResponse(claim, of: pending, answers, effects) { return replay }
            // A scheduled auction whose start has come takes bids at once: the closer starts it
            // within milliseconds, and a bid in between must not be refused as not active.
            if item.state.status == .scheduled && item.terms.startsAt <= request.at {
                start(&item, context: context, &effects)
            }
            switch AuctionRules.place(request, sellerID: item.sellerID, terms: item.terms, state: item.state) {
            case .failure(let rejection):
                return .bidRejected(rejection, item)
            case .success(let outcome):
                item.state = outcome.state
                item.version += 1
                item.updatedAt = context.now
                let bid = BidRecord(
                    id: Identifier.make(at: context.now), itemID: item.id, bidderID: request.bidderID, amount: request.amount,
                    maxAmount: request.maxAmount ?? request.amount, priceAfter: outcome.state.currentPrice,
                    leaderAfter: outcome.state.leaderID ?? request.bidderID,
                    leaderMaxAfter: outcome.state.leaderMax ?? request.effectiveMax, createdAt: context.now)
                effects.items[item.id] = item
                if outcome.extended || outcome.soldByBuyout { effects.rows.insert(item.id) }
                effects.bids.append(bid)
                effects.events.append(
                    (OutboxEvent("bid.placed", subject: item.id, payload: BidPlacedPayload.json(bid, item), at: context.now), context))
                if outcome.extended {
                    effects.extensions += 1
                    effects.transitioned = true
                    effects.events.append(
                        (OutboxEvent("item.extended", subject: item.id, payload: ItemRepresentation.json(item), at: context.now), context))
                }
                if outcome.soldByBuyout { closed(item, context: context, &effects) }
                if let claim {
                    let body = BidResponse.json(bid, item)
                    effects.idempotency.append(
                        (claim, IdempotentResponse(requestHash: claim.requestHash, status: 201, location: nil, body: body)))
                }
                return .bidAccepted(bid, item)
            }
        case .change(let context, let change):
            do {
                switch try change(item) {
                case .update(var updated, let event):
                    updated.version = item.version + 1
                    updated.updatedAt = context.now
                    effects.items[item.id] = updated
                    effects.rows.insert(item.id)
                    effects.transitioned = true
                    // Drafts stay off the public feed: publishing one is its `item.created`, and
                    // nothing else a draft becomes is announced.
                    let published: String? =
                        switch (item.state.status == .draft, updated.state.status) {
                        case (false, _): event
                        case (true, .scheduled), (true, .active): "item.created"
                        case (true, _): nil
                        }
                    if let name = published {
                        effects.events.append(
                            (OutboxEvent(name, subject: item.id, payload: ItemRepresentation.json(updated), at: context.now), context))
                    }
                    return .changed(updated)
                case .delete:
                    effects.items[item.id] = nil
                    effects.deleted.insert(item.id)
                    effects.transitioned = true
                    if item.state.status != .draft {
                        effects.events.append(
                            (OutboxEvent("item.deleted", subject: item.id, payload: ItemRepresentation.json(item), at: context.now), context))
                    }
                    return .changed(nil)
                }
            } catch let problem as Problem {
                return .refused(problem)
            } catch let failure as ValidationFailure {
                return .refused(.validation(failure))
            } catch {
                return .refused(Problem(.conflict, code: "item.conflict", detail: "The item cannot be changed now."))
            }
        case .transition(let now):
            let context = WriteContext(traceID: "auction-closer", correlationID: "auction-closer", now: now)
            if item.state.status == .scheduled && item.terms.startsAt <= now {
                start(&item, context: context, &effects)
            } else if item.state.status == .active && item.state.endsAt <= now {
                item.state = AuctionRules.close(item.terms, item.state)
                item.version += 1
                item.updatedAt = context.now
                effects.items[item.id] = item
                effects.rows.insert(item.id)
                closed(item, context: context, &effects)
            }
            return .transitioned(item)
        }
    }

    /// A scheduled item whose start has come becomes active: `item.updated`.
    private func start(_ item: inout Item, context: WriteContext, _ effects: inout Effects) {
        item.state.status = .active
        item.version += 1
        item.updatedAt = context.now
        effects.items[item.id] = item
        effects.rows.insert(item.id)
        effects.transitioned = true
        effects.events.append(
            (OutboxEvent("item.updated", subject: item.id, payload: ItemRepresentation.json(item), at: context.now), context))
    }

    /// `item.closed`, and `bid.won` when sold.
    private func closed(_ item: Item, context: WriteContext, _ effects: inout Effects) {
        effects.closes.append(item.state.status.rawValue)
        effects.transitioned = true
        let payload = ItemRepresentation.json(item)
        effects.events.append((OutboxEvent("item.closed", subject: item.id, payload: payload, at: context.now), context))
        if item.state.status == .sold {
            effects.events.append((OutboxEvent("bid.won", subject: item.id, payload: payload, at: context.now), context))
        }
    }

    enum Commit {
        case committed
        /// The commands at these positions were answered by their deadline; nothing was written.
        case dropped(Set<Int>)
        /// Every attempt failed with this error.
        case failed(any Error)
    }

    private struct Dropped: Error {
        let positions: Set<Int>
    }

    /// Writes the batch once its transaction has claimed every command in it (see `FirstAnswer`).
    private func commit(_ effects: Effects, claiming batch: [BidWorker.Pending]) async -> Commit {
        guard !effects.items.isEmpty || !effects.deleted.isEmpty else { return .committed }
        var failures = 0
        while true {
            do {
                _ = try await store.write("bid.batch", { db in
                    let dropped = Set(batch.indices.filter { !batch[$0].verdict.claim() })
                    guard dropped.isEmpty else { throw Dropped(positions: dropped) }
                    let seqs = zip(effects.bids, try ItemRecords.insert(effects.bids, in: db)).map { (item: $0.itemID, seq: $1) }
                    for id in effects.rows { if let item = effects.items[id] { try ItemRecords.update(item, in: db) } }
                    for id in effects.deleted { try ItemRecords.delete(id, in: db) }
                    try Outbox.append(effects.events, in: db)
                    for (claim, response) in effects.idempotency {
                        try IdempotencyRecords.insert(claim, response: response, at: Date(), in: db)
                    }
                    return seqs
                }, afterCommit: { [catalog] seqs in
                    catalog.apply(changed: effects.items.values, removed: effects.deleted, bids: seqs)
                })
                return .committed
            } catch let dropped as Dropped {
                return .dropped(dropped.positions)
            } catch StorageError.overloaded {
                // No slot for the writer: the database is busy, nothing failed. Callers whose
                // deadline rings meanwhile are answered 503 and dropped by the next attempt.
                logger.warning("bid batch waits for a database slot", metadata: ["size": "\(batch.count)"])
                try? await Task.sleep(for: retryDelays[0])
            } catch {
                failures += 1
                logger.warning("bid batch commit failed", metadata: ["attempt": "\(failures)", "error": "\(error)"])
                guard failures <= retryDelays.count else { return .failed(error) }
                try? await Task.sleep(for: retryDelays[failures - 1])
            }
        }
    }

    static let bidNotRecorded = Problem.unavailable(
        "The bid could not be recorded and was set aside; nothing changed. Try again.", code: "bid.not_recorded")
    static let changeNotRecorded = Problem.unavailable(
        "The change could not be recorded; nothing changed. Try again.", code: "item.not_recorded")

    /// Sets aside the bids a failed batch would have recorded (those it accepted: a rejected
    /// bid records nothing, and a command answered by its deadline was dropped before), and
    /// counts them once they are written.
    private func deadLetter(_ bids: [(UUID, BidRequest)], error: any Error) async {
        guard !bids.isEmpty else { return }
        let attempts = retryDelays.count + 1
        do {
            _ = try await store.write("bid.dead_letter") { db in
                for (item, bid) in bids {
                    try ItemRecords.insertDeadLetter(bid, item: item, error: String(describing: error), attempts: attempts, in: db)
                }
                return true
            }
            metrics.deadLetters.increment(by: bids.count)
        } catch {
            logger.error("dead letters could not be written", metadata: ["count": "\(bids.count)", "error": "\(error)"])
        }
    }

    private func record(_ results: [CommandResult], _ effects: Effects, duration: Duration) {
        var accepted = 0
        for result in results {
            switch result {
            case .bidAccepted: accepted += 1
            case .bidRejected(let rejection, _):
                metrics.bids("rejected")
                metrics.rejection(rejection.rawValue)
            default: break
            }
        }
        metrics.bids("accepted", count: accepted)
        if effects.extensions > 0 { metrics.extensions.increment(by: effects.extensions) }
        for result in effects.closes { metrics.closed(result) }
        logger.info(
            "bid batch committed",
            metadata: [
                "size": "\(results.count)", "bids": "\(effects.bids.count)",
                "duration_ms": "\(String(format: "%.3f", duration.seconds * 1000))",
            ])
    }
}
