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
    private let inFlight = AttemptsInFlight()

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

    /// How an attempt may go on.
    enum AttemptStart: Sendable, Equatable {
        /// Counted as in flight: it must end with `recordFailure` or `endAttempt`.
        case started
        /// A key is locked out until this time; nothing was counted.
        case locked(Scope, until: Date)
        /// A key's failures plus the attempts in flight reach its limit: one of those must end
        /// before this attempt may be judged. Wait with `attemptEnded(since:)`.
        case full(generation: UInt64)
    }

    /// Starts an attempt against every key before its secret is checked: refused while a key is
    /// locked, and held back while the key's failures plus the attempts already being judged
    /// reach its limit, so concurrent wrong attempts cannot all be judged under the limit, while
    /// concurrent right ones only wait for each other and are never refused. The check and the
    /// count run on the database writer, where every failure is recorded too.
    func beginAttempt(_ keys: [CounterKey], now: Date, window: TimeInterval) async throws -> AttemptStart {
        let inFlight = self.inFlight
        return try await store.write("auth.attempt", { db in
            let nowMillis = Timestamp.millis(now)
            for key in keys {
                let row = try Self.counter(key, in: db)
                if let until = row?["locked_until"] as Int64?, until > nowMillis {
                    return .locked(key.scope, until: Timestamp.date(millis: until))
                }
            }
            let failures = try keys.map { key in
                try Self.counter(key, in: db).map { row in
                    (row["window_started_at"] as Int64) + Int64(window * 1000) > nowMillis ? row["failures"] as Int : 0
                } ?? 0
            }
            if let generation = inFlight.full(keys, failures: failures) { return .full(generation: generation) }
            return .started
        }, afterCommit: { start in
            if start == .started { inFlight.add(keys) }
        })
    }

    /// Ends an attempt whose secret was wrong: a failure on every key, in a window that starts
    /// with its first failure; reaching `limit` locks the key for `window`.
    func recordFailure(_ keys: [CounterKey], now: Date, window: TimeInterval) async throws {
        // Taken off the attempts in flight after the failure is stored (or could not be): until
        // then a new attempt sees both, which only makes it wait.
        defer { inFlight.remove(keys) }
        _ = try await store.write("auth.attempt_failed") { db in
            let nowMillis = Timestamp.millis(now)
            let windowMillis = Int64(window * 1000)
            for key in keys {
                var (failures, started) = (1, nowMillis)
                if let row = try Self.counter(key, in: db), (row["window_started_at"] as Int64) + windowMillis > nowMillis {
                    (failures, started) = ((row["failures"] as Int) + 1, row["window_started_at"])
                }
                let lockedUntil: Int64? = failures >= key.limit ? nowMillis + windowMillis : nil
                try db.cachedStatement(sql: """
                    INSERT INTO auth_failures (scope, key, failures, window_started_at, locked_until) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (scope, key) DO UPDATE SET failures = excluded.failures,
                        window_started_at = excluded.window_started_at, locked_until = excluded.locked_until
                    """).execute(arguments: [key.scope.rawValue, key.key, failures, started, lockedUntil])
            }
            return true
        }
    }

    /// Ends an attempt that did not fail (it passed, or could not be judged). Keys of the
    /// `clearing` scope lose their failures (a completed sign-in clears its account's).
    func endAttempt(_ keys: [CounterKey], clearing: Scope? = nil) async throws {
        defer { inFlight.remove(keys) }
        let cleared = keys.filter { $0.scope == clearing }
        guard !cleared.isEmpty else { return }
        _ = try await store.write("auth.attempt_cleared") { db in
            for key in cleared {
                try db.cachedStatement(sql: "DELETE FROM auth_failures WHERE scope = ? AND key = ?")
                    .execute(arguments: [key.scope.rawValue, key.key])
            }
            return true
        }
    }

    /// Returns once an attempt in flight has ended after `generation` (at once if one has), or
    /// throws `CancellationError` when the waiting task is cancelled.
    func attemptEnded(since generation: UInt64) async throws {
        try await inFlight.ended(since: generation)
    }

    /// Attempts being judged now, for tests.
    var attemptsInFlight: Int { inFlight.total }

    private static func counter(_ key: CounterKey, in db: Database) throws -> Row? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT failures, window_started_at, locked_until FROM auth_failures WHERE scope = ? AND key = ?"),
            arguments: [key.scope.rawValue, key.key])
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
