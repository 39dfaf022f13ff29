import Foundation
import GRDB
import GavelCore

public enum IdentityStoreError: Error, Equatable {
    case emailTaken
}

/// The outcome of presenting a refresh token for rotation.
enum RefreshRotation: Equatable, Sendable {
    case rotated(userID: UUID, amr: [String])
    /// The token was already rotated or revoked: its whole family is now revoked.
    case reused
    case unknown
    case expired
}

/// Accounts, sessions (refresh tokens), second factors and failure counters in SQLite.
/// Every check-and-change happens in one transaction, so concurrent requests cannot both use
/// one code, one recovery code or one refresh token.
final class IdentityRepository: Sendable {
    let store: Store

    init(store: Store) {
        self.store = store
    }

    // MARK: Accounts

    func insert(_ account: Account, context: WriteContext) async throws {
        let payload = try AccountRepresentation.registered(account)
        _ = try await store.write("user.create") { db in
            do {
                try db.cachedStatement(sql: """
                    INSERT INTO users (id, email, name, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
                    """).execute(arguments: [
                        account.id.text, account.email, account.name, account.passwordHash,
                        Timestamp.millis(account.createdAt), Timestamp.millis(account.createdAt),
                    ])
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
                throw IdentityStoreError.emailTaken
            }
            try Outbox.append(
                [OutboxEvent("identity.user.registered", subject: account.id, payload: payload, at: context.now)],
                context: context, in: db)
            return true
        }
    }

    func account(email: String) async throws -> Account? {
        try await store.read("user.find") { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM users WHERE email = ?"), arguments: [email]).map(Self.account)
        }
    }

    func account(id: UUID) async throws -> Account? {
        try await store.read("user.find") { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM users WHERE id = ?"), arguments: [id.text]).map(Self.account)
        }
    }

    func updatePasswordHash(_ id: UUID, hash: String, now: Date) async throws {
        _ = try await store.write("user.rehash") { db in
            try db.cachedStatement(sql: "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?")
                .execute(arguments: [hash, Timestamp.millis(now), id.text])
            return true
        }
    }

    private static func account(_ row: Row) -> Account {
        let secret: Data? = row["two_factor_secret"]
        let pending: Data? = row["two_factor_pending_secret"]
        return Account(
            id: UUID(uuidString: row["id"])!, email: row["email"], name: row["name"], passwordHash: row["password_hash"],
            createdAt: Timestamp.date(millis: row["created_at"]), twoFactorSecret: secret.map(Array.init),
            twoFactorPendingSecret: pending.map(Array.init), twoFactorLastStep: row["two_factor_last_step"])
    }

    // MARK: Failure counters

    enum Scope: String, Sendable { case account, address }

    /// A counter an attempt counts against, and the count that locks it.
    struct CounterKey: Sendable {
        let scope: Scope
        let key: String
        let limit: Int
    }

    /// Counts one attempt against every key before its secret is checked, in the same
    /// transaction as the lockout check, so concurrent attempts cannot all pass under the limit.
    /// The count runs in a window that starts with its first attempt; reaching `limit` locks
    /// the key for `window`. A key already locked at `now` counts nothing and is returned with
    /// the end of its lockout.
    func beginAttempt(_ keys: [CounterKey], now: Date, window: TimeInterval) async throws -> (scope: Scope, until: Date)? {
        try await store.write("auth.attempt") { db in
            let nowMillis = Timestamp.millis(now)
            let windowMillis = Int64(window * 1000)
            var counts: [(key: CounterKey, attempts: Int, started: Int64)] = []
            for key in keys {
                let row = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT failures, window_started_at, locked_until FROM auth_failures WHERE scope = ? AND key = ?"),
                    arguments: [key.scope.rawValue, key.key])
                if let until = row?["locked_until"] as Int64?, until > nowMillis {
                    return (key.scope, Timestamp.date(millis: until))
                }
                if let row, (row["window_started_at"] as Int64) + windowMillis > nowMillis {
                    counts.append((key, (row["failures"] as Int) + 1, row["window_started_at"]))
                } else {
                    counts.append((key, 1, nowMillis))
                }
            }
            for (key, attempts, started) in counts {
                let lockedUntil: Int64? = attempts >= key.limit ? nowMillis + windowMillis : nil
                try db.cachedStatement(sql: """
                    INSERT INTO auth_failures (scope, key, failures, window_started_at, locked_until) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (scope, key) DO UPDATE SET failures = excluded.failures,
                        window_started_at = excluded.window_started_at, locked_until = excluded.locked_until
                    """).execute(arguments: [key.scope.rawValue, key.key, attempts, started, lockedUntil])
            }
            return nil
        }
    }

    /// Takes back an attempt that did not fail: one off each key's count, and the lockout lifted
    /// when the count is below the limit again. Keys of the `clearing` scope are reset to zero
    /// instead (a completed sign-in clears its account's failures).
    func withdrawAttempt(_ keys: [CounterKey], clearing: Scope? = nil) async throws {
        _ = try await store.write("auth.attempt_withdraw") { db in
            for key in keys {
                if key.scope == clearing {
                    try db.cachedStatement(sql: "DELETE FROM auth_failures WHERE scope = ? AND key = ?")
                        .execute(arguments: [key.scope.rawValue, key.key])
                } else {
                    // SET expressions read the row as it was, so both use the old count.
                    try db.cachedStatement(sql: """
                        UPDATE auth_failures SET failures = failures - 1,
                            locked_until = CASE WHEN failures - 1 >= ? THEN locked_until ELSE NULL END
                        WHERE scope = ? AND key = ? AND failures > 0
                        """).execute(arguments: [key.limit, key.scope.rawValue, key.key])
                }
            }
            return true
        }
    }

    // MARK: Refresh tokens

    func insertRefreshToken(hash: String, userID: UUID, family: UUID, amr: [String], now: Date, expires: Date) async throws {
        _ = try await store.write("refresh.create") { db in
            try Self.insertRefresh(hash: hash, userID: userID, family: family.text, amr: amr, now: now, expires: expires, in: db)
            return true
        }
    }

    /// Replaces a live token with `newHash` in the same family, or reports why it cannot.
    func rotateRefreshToken(_ hash: String, newHash: String, now: Date, expires: Date) async throws -> RefreshRotation {
        try await store.write("refresh.rotate") { db in
            guard let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT user_id, family_id, amr, expires_at, revoked_at FROM refresh_tokens WHERE token_hash = ?"),
                arguments: [hash])
            else { return .unknown }
            let family: String = row["family_id"]
            if (row["revoked_at"] as Int64?) != nil {
                try Self.revokeFamily(family, now: now, in: db)
                return .reused
            }
            guard (row["expires_at"] as Int64) > Timestamp.millis(now) else { return .expired }
            let userID = UUID(uuidString: row["user_id"])!
            let amr = (row["amr"] as String).split(separator: " ").map(String.init)
            try db.cachedStatement(sql: "UPDATE refresh_tokens SET revoked_at = ? WHERE token_hash = ?")
                .execute(arguments: [Timestamp.millis(now), hash])
            try Self.insertRefresh(hash: newHash, userID: userID, family: family, amr: amr, now: now, expires: expires, in: db)
            return .rotated(userID: userID, amr: amr)
        }
    }

    /// Ends the session the token belongs to, if it belongs to `userID`.
    func revokeSession(ofToken hash: String, userID: UUID, now: Date) async throws {
        _ = try await store.write("refresh.revoke") { db in
            if let family = try String.fetchOne(
                db.cachedStatement(sql: "SELECT family_id FROM refresh_tokens WHERE token_hash = ? AND user_id = ?"),
                arguments: [hash, userID.text])
            {
                try Self.revokeFamily(family, now: now, in: db)
            }
            return true
        }
    }

    private static func insertRefresh(
        hash: String, userID: UUID, family: String, amr: [String], now: Date, expires: Date, in db: Database
    ) throws {
        try db.cachedStatement(sql: """
            INSERT INTO refresh_tokens (token_hash, user_id, family_id, amr, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                hash, userID.text, family, amr.joined(separator: " "), Timestamp.millis(now), Timestamp.millis(expires),
            ])
    }

    private static func revokeFamily(_ family: String, now: Date, in db: Database) throws {
        try db.cachedStatement(sql: "UPDATE refresh_tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL")
            .execute(arguments: [Timestamp.millis(now), family])
    }
}
