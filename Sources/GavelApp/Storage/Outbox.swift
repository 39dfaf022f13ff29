import Foundation
import GRDB
import Synchronization
import GavelCore

/// Where a change came from, carried into the events it causes.
public struct WriteContext: Sendable {
    public let traceID: String
    public let correlationID: String
    public let now: Date

    public init(traceID: String, correlationID: String, now: Date = Date()) {
        self.traceID = traceID
        self.correlationID = correlationID
        self.now = Timestamp.truncated(now)
    }

    /// The same request's context at another time: services with an injectable clock use it.
    func at(_ date: Date) -> WriteContext {
        WriteContext(traceID: traceID, correlationID: correlationID, now: date)
    }
}

/// An event about to be written to the outbox.
struct OutboxEvent: Sendable {
    let id: UUID
    let name: String
    let subjectID: UUID?
    let payload: [UInt8]

    init(_ name: String, subject: UUID?, payload: [UInt8], at date: Date) {
        self.id = Identifier.make(at: date)
        self.name = name
        self.subjectID = subject
        self.payload = payload
    }
}

/// A stored event with its position in the feed.
public struct StoredEvent: Sendable, Equatable {
    public let seq: Int64
    public let id: String
    public let name: String
    public let version: String
    public let timestamp: Date
    public let traceID: String
    public let correlationID: String
    public let subjectID: String?
    public let payload: String
}

enum Outbox {
    static let version = "v1"

    /// The events Gavel writes, so their counters exist at 0 before the first one: `rate()`
    /// never sees a series' first increment. An event missing here is still counted.
    static let eventNames = [
        "identity.user.registered", "product.created", "product.updated", "product.deleted", "item.created",
        "item.updated", "item.deleted", "item.cancelled", "item.extended", "item.closed", "bid.placed", "bid.won",
    ]

    /// An event a transaction appended: what the metrics and the feed's subject index learn of it
    /// once the transaction commits.
    struct Appended: Sendable {
        let seq: Int64
        let name: String
        let subject: UUID?
    }

    /// The events appended by the transaction in progress on each connection. `Store.write`
    /// takes them after the commit (and discards them after a rollback), so nothing has to read
    /// the new rows back.
    private static let journal = Mutex<[ObjectIdentifier: [Appended]]>([:])

    /// Appends events inside the caller's transaction and returns the last sequence number.
    @discardableResult
    static func append(_ events: [OutboxEvent], context: WriteContext, in db: Database) throws -> Int64 {
        try append(events.map { ($0, context) }, in: db)
    }

    /// Appends events, each with the context of the request that caused it: a bid batch writes
    /// those of many requests with one statement lookup and one journal entry.
    @discardableResult
    static func append(_ events: [(OutboxEvent, WriteContext)], in db: Database) throws -> Int64 {
        guard !events.isEmpty else { return db.lastInsertedRowID }
        let statement = try db.cachedStatement(sql: """
            INSERT INTO events (id, event, version, timestamp, trace_id, correlation_id, subject_id, payload)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        var appended: [Appended] = []
        appended.reserveCapacity(events.count)
        for (event, context) in events {
            let seq = try DirectInsert.run(statement, in: db) { values in
                values.bind(event.id)
                values.bind(event.name)
                values.bind(version)
                values.bind(Timestamp.millis(context.now))
                values.bind(context.traceID)
                values.bind(context.correlationID)
                values.bind(event.subjectID)
                values.bind(utf8: event.payload)
            }
            appended.append(Appended(seq: seq, name: event.name, subject: event.subjectID))
        }
        journal.withLock { $0[ObjectIdentifier(db), default: []].append(contentsOf: appended) }
        return db.lastInsertedRowID
    }

    /// What the transaction on `db` appended so far, forgotten here.
    static func takeAppended(in db: Database) -> [Appended] {
        journal.withLock { $0.removeValue(forKey: ObjectIdentifier(db)) } ?? []
    }

    static func read(after seq: Int64, limit: Int, in db: Database) throws -> [StoredEvent] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?"), arguments: [seq, limit])
            .map(event)
    }

    /// The events with these sequence numbers, in the order given: the feed's subject index
    /// knows which are about one subject.
    static func read(seqs: some Sequence<Int64>, in db: Database) throws -> [StoredEvent] {
        let statement = try db.cachedStatement(sql: "SELECT * FROM events WHERE seq = ?")
        return try seqs.compactMap { seq in try Row.fetchOne(statement, arguments: [seq]).map(event) }
    }

    private static func event(_ row: Row) -> StoredEvent {
        StoredEvent(
            seq: row["seq"], id: row["id"], name: row["event"], version: row["version"],
            timestamp: Timestamp.date(millis: row["timestamp"]), traceID: row["trace_id"],
            correlationID: row["correlation_id"], subjectID: row["subject_id"], payload: row["payload"])
    }

    /// Whether an event belongs in the feed's subject index: events about items, the only
    /// subjects with a stream of their own. Products and accounts would cost memory per row
    /// for nothing.
    static func isIndexed(_ name: String) -> Bool {
        name.hasPrefix("item.") || name.hasPrefix("bid.")
    }

    /// Every item's events (sequence numbers, oldest first), to build the feed's index at start-up.
    static func subjects(in db: Database) throws -> [UUID: [Int64]] {
        try db.sequencesByID("""
            SELECT seq, subject_id FROM events
            WHERE subject_id IS NOT NULL AND (event LIKE 'item.%' OR event LIKE 'bid.%') ORDER BY seq
            """)
    }

    static func lastSeq(in db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) FROM events") ?? 0
    }
}
