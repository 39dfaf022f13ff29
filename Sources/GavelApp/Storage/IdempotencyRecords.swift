import Foundation
import GRDB

/// Stored responses of creating requests, keyed by user, scope (the route) and client key.
enum IdempotencyRecords {
    /// Keys are remembered this long; a retry after that is a new request.
    static let retention: TimeInterval = 24 * 3_600

    /// Thrown when another request claimed the same key first.
    struct KeyInUse: Error {}

    static func insert(_ claim: IdempotencyClaim, response: IdempotentResponse, at now: Date, in db: Database) throws {
        // An expired record for the same key gives way to the new one.
        try db.cachedStatement(sql: "DELETE FROM idempotency_keys WHERE user_id = ? AND scope = ? AND key = ? AND created_at < ?")
            .execute(arguments: [claim.userID.text, claim.scope, claim.key, Timestamp.millis(now.addingTimeInterval(-retention))])
        do {
            try db.cachedStatement(sql: """
                INSERT INTO idempotency_keys (user_id, scope, key, request_hash, status, location, body, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                    claim.userID.text, claim.scope, claim.key, claim.requestHash, response.status, response.location,
                    Data(response.body), Timestamp.millis(now),
                ])
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw KeyInUse()
        }
    }

    static func find(userID: UUID, scope: String, key: String, in db: Database, now: Date = Date()) throws -> IdempotentResponse? {
        guard let row = try Row.fetchOne(
            db.cachedStatement(sql: """
                SELECT request_hash, status, location, body FROM idempotency_keys
                WHERE user_id = ? AND scope = ? AND key = ? AND created_at >= ?
                """),
            arguments: [userID.text, scope, key, Timestamp.millis(now.addingTimeInterval(-retention))])
        else { return nil }
        let body: Data = row["body"]
        return IdempotentResponse(requestHash: row["request_hash"], status: row["status"], location: row["location"], body: Array(body))
    }
}
