import Foundation
import GRDB
import GavelCore

extension IdentityRepository {
    // MARK: Enrolment

    func setPendingSecret(_ userID: UUID, secret: [UInt8]) async throws {
        _ = try await store.write("2fa.pending") { db in
            try db.cachedStatement(sql: "UPDATE users SET two_factor_pending_secret = ? WHERE id = ?")
                .execute(arguments: [Data(secret), userID.text])
            return true
        }
    }

    /// Makes the pending secret active, records `step` as used and stores the recovery codes —
    /// only if the pending secret is still the one the code was checked against.
    func activateTwoFactor(_ userID: UUID, secret: [UInt8], step: Int64, recoveryHashes: [String]) async throws -> Bool {
        try await store.write("2fa.activate") { db in
            try db.cachedStatement(sql: """
                UPDATE users SET two_factor_secret = two_factor_pending_secret, two_factor_pending_secret = NULL,
                    two_factor_last_step = ?
                WHERE id = ? AND two_factor_pending_secret = ? AND two_factor_secret IS NULL
                """).execute(arguments: [step, userID.text, Data(secret)])
            guard db.changesCount == 1 else { return false }
            try Self.replaceRecoveryCodes(userID, hashes: recoveryHashes, in: db)
            return true
        }
    }

    func disableTwoFactor(_ userID: UUID) async throws {
        _ = try await store.write("2fa.disable") { db in
            try db.cachedStatement(sql: """
                UPDATE users SET two_factor_secret = NULL, two_factor_pending_secret = NULL, two_factor_last_step = NULL
                WHERE id = ?
                """).execute(arguments: [userID.text])
            try db.cachedStatement(sql: "DELETE FROM recovery_codes WHERE user_id = ?").execute(arguments: [userID.text])
            return true
        }
    }

    func replaceRecoveryCodes(_ userID: UUID, hashes: [String]) async throws {
        _ = try await store.write("2fa.recovery_codes") { db in
            try Self.replaceRecoveryCodes(userID, hashes: hashes, in: db)
            return true
        }
    }

    private static func replaceRecoveryCodes(_ userID: UUID, hashes: [String], in db: Database) throws {
        try db.cachedStatement(sql: "DELETE FROM recovery_codes WHERE user_id = ?").execute(arguments: [userID.text])
        let insert = try db.cachedStatement(sql: "INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)")
        for hash in hashes { try insert.execute(arguments: [userID.text, hash]) }
    }

    // MARK: Using a second factor

    /// Records `step` as the last accepted TOTP step unless it (or a later one) already was:
    /// the compare-and-set that makes a code single-use even under concurrent requests.
    func acceptStep(_ userID: UUID, step: Int64) async throws -> Bool {
        try await store.write("2fa.accept_step") { db in
            try db.cachedStatement(sql: """
                UPDATE users SET two_factor_last_step = ?1
                WHERE id = ?2 AND two_factor_secret IS NOT NULL AND (two_factor_last_step IS NULL OR two_factor_last_step < ?1)
                """).execute(arguments: [step, userID.text])
            return db.changesCount == 1
        }
    }

    /// Marks an unused recovery code used; false when there is no such unused code.
    func useRecoveryCode(_ userID: UUID, hash: String, now: Date) async throws -> Bool {
        try await store.write("2fa.recovery_use") { db in
            try db.cachedStatement(sql: """
                UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL
                """).execute(arguments: [Timestamp.millis(now), userID.text, hash])
            return db.changesCount == 1
        }
    }

    // MARK: Login challenges

    func insertChallenge(_ id: UUID, userID: UUID, expires: Date) async throws {
        _ = try await store.write("2fa.challenge_create") { db in
            try db.cachedStatement(sql: "INSERT INTO two_factor_challenges (id, user_id, expires_at) VALUES (?, ?, ?)")
                .execute(arguments: [id.text, userID.text, Timestamp.millis(expires)])
            return true
        }
    }

    struct ChallengeState: Sendable, Equatable {
        let userID: UUID
        let consumed: Bool
    }

    func challenge(_ id: UUID) async throws -> ChallengeState? {
        try await store.read("2fa.challenge") { db in
            try Row.fetchOne(
                db.cachedStatement(sql: "SELECT user_id, consumed_at FROM two_factor_challenges WHERE id = ?"),
                arguments: [id.text]
            ).map { row in
                ChallengeState(
                    userID: UUID(uuidString: row["user_id"])!, consumed: (row["consumed_at"] as Int64?) != nil)
            }
        }
    }

    /// Counts an attempt against the challenge before its code is checked; false (and nothing
    /// counted) once `limit` attempts have been made. A right code uses the challenge up, so
    /// every attempt after the first can only have followed wrong ones.
    func beginChallengeAttempt(_ id: UUID, limit: Int) async throws -> Bool {
        try await store.write("2fa.challenge_attempt") { db in
            try db.cachedStatement(sql: "UPDATE two_factor_challenges SET failures = failures + 1 WHERE id = ? AND failures < ?")
                .execute(arguments: [id.text, limit])
            return db.changesCount == 1
        }
    }

    /// Uses the challenge up; false when it was already used (a challenge logs in once).
    func consumeChallenge(_ id: UUID, now: Date) async throws -> Bool {
        try await store.write("2fa.challenge_consume") { db in
            try db.cachedStatement(sql: "UPDATE two_factor_challenges SET consumed_at = ? WHERE id = ? AND consumed_at IS NULL")
                .execute(arguments: [Timestamp.millis(now), id.text])
            return db.changesCount == 1
        }
    }
}
