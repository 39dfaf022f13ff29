import Foundation
import GavelCore

/// `Idempotency-Key` on bids: a batch reads the stored answers of its keyed bids before it is
/// decided, and a retry is answered from them (or from an earlier bid of the same batch).
extension BatchApplier {
    /// The stored answers of a batch's bids that carry an `Idempotency-Key`, read in one go
    /// before the batch is decided. All bids for one item go through this worker, so nothing
    /// can store an answer for these keys in between but the batch itself.
    struct StoredAnswers: Sendable {
        var responses: [ObjectIdentifier: IdempotentResponse] = [:]
        /// Commands whose key could not be looked up (the database busy or failing): they are
        /// refused, never judged as new, since a retry of a recorded bid would then be told it
        /// was too low, and a reused key would fail the whole batch's commit.
        var unknown: Set<ObjectIdentifier> = []
    }

    func storedAnswers(_ batch: [BidWorker.Pending]) async -> StoredAnswers {
        let keyed = batch.compactMap { pending -> (ObjectIdentifier, IdempotencyClaim)? in
            guard case .bid(_, _, let claim?) = pending.command else { return nil }
            return (ObjectIdentifier(pending.verdict), claim)
        }
        guard !keyed.isEmpty else { return StoredAnswers() }
        do {
            let found = try await lookUp(store, keyed.map(\.1))
            var answers = StoredAnswers()
            for ((id, _), response) in zip(keyed, found) { answers.responses[id] = response }
            return answers
        } catch {
            logger.warning("idempotency keys could not be looked up", metadata: ["count": "\(keyed.count)", "error": "\(error)"])
            return StoredAnswers(unknown: Set(keyed.map(\.0)))
        }
    }

    static func findStored(_ store: Store, _ claims: [IdempotencyClaim]) async throws -> [IdempotentResponse?] {
        try await store.read("idempotency.find") { db in
            try claims.map { claim in try IdempotencyRecords.find(userID: claim.userID, scope: claim.scope, key: claim.key, in: db) }
        }
    }

    static let keyNotChecked = Problem.unavailable(
        "The Idempotency-Key could not be checked against earlier requests; nothing was recorded. Try again.",
        code: "service.overloaded")

    /// A retry of a bid already answered: from this batch, or from the database.
    func storedResponse(
        _ claim: IdempotencyClaim, of pending: BidWorker.Pending, _ answers: StoredAnswers, _ effects: Effects
    ) -> CommandResult? {
        let id = ObjectIdentifier(pending.verdict)
        let inBatch = effects.idempotency.first { $0.0.userID == claim.userID && $0.0.scope == claim.scope && $0.0.key == claim.key }
        guard let stored = inBatch?.1 ?? answers.responses[id] else {
            return answers.unknown.contains(id) ? .refused(Self.keyNotChecked) : nil
        }
        guard stored.requestHash == claim.requestHash else { return .refused(.idempotencyKeyReused) }
        return .replayed(stored)
    }
}
