import Foundation
import GRDB
import GavelCore
import Logging

/// The SQLite database Gavel owns: one writer, WAL readers, every access through the gate.
public final class Store: Sendable {
    let writer: any DatabaseWriter
    let gate: AdmissionGate
    let feed: EventFeed
    private let metrics: MetricsRegistry

    private init(writer: any DatabaseWriter, gate: AdmissionGate, metrics: MetricsRegistry) throws {
        self.writer = writer
        self.gate = gate
        self.metrics = metrics
        for name in Outbox.eventNames { _ = metrics.counter("gavel_events_total", [("event", name)]) }
        try Migrations.migrator.migrate(writer)
        self.feed = try writer.read { db in EventFeed(lastSeq: try Outbox.lastSeq(in: db), subjects: try Outbox.subjects(in: db)) }
    }

    /// Opens (creating if needed) and migrates the database. `:memory:` gives a private
    /// in-memory database, for tests.
    public static func open(_ config: AppConfig.Database, metrics: MetricsRegistry, logger: Logger) throws -> Store {
        var configuration = Configuration()
        configuration.busyMode = .timeout(config.busyTimeout.seconds)
        let synchronous = config.synchronous.rawValue.uppercased()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
            // Checkpoint every ~40 MB of WAL instead of every 4 MB: a checkpoint rewrites the
            // pages a batch touched (one item row each) into the database file with an fsync, and
            // doing that every few batches halved bid throughput. Durability is unchanged; the
            // WAL file is truncated back to 64 MB after a checkpoint.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 10000")
            try db.execute(sql: "PRAGMA journal_size_limit = 67108864")
        }
        let writer: any DatabaseWriter
        if config.sqlitePath == ":memory:" {
            writer = try DatabaseQueue(configuration: configuration)
        } else {
            let directory = URL(fileURLWithPath: config.sqlitePath).deletingLastPathComponent()
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            configuration.maximumReaderCount = max(2, config.maxConcurrency)
            let pool = try DatabasePool(path: config.sqlitePath, configuration: configuration)
            // DatabasePool switches the writer to WAL and then to `synchronous = NORMAL`, after
            // `prepareDatabase` ran, which silently dropped the configured FULL: commits were not
            // synced, so an acknowledged bid could be lost to a power failure. Set it again.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = \(synchronous)") }
            writer = pool
        }
        logger.debug("database open", metadata: ["path": "\(config.sqlitePath)", "synchronous": "\(synchronous)"])
        let gate = AdmissionGate(
            limit: config.maxConcurrency, acquireTimeout: config.acquireTimeout, observer: StorageMetrics(metrics))
        return try Store(writer: writer, gate: gate, metrics: metrics)
    }

    /// Reads without a transaction: each statement sees a consistent snapshot, and the callers
    /// here read single statements.
    func read<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await gate.withSlot(operation) {
            try await writer.unsafeRead(body)
        }
    }

    /// Runs `body` in one write transaction. `afterCommit` runs on the writer right after the
    /// commit and before any later transaction, so in-memory state follows commit order
    /// exactly; live event streams are woken at the same point.
    func write<T: Sendable>(
        _ operation: String,
        _ body: @escaping @Sendable (Database) throws -> T,
        afterCommit: (@Sendable (T) -> Void)? = nil
    ) async throws -> T {
        try await gate.withSlot(operation) { [feed, metrics] in
            let transaction: @Sendable (Database) throws -> T = { db in
                var result: T?
                // Forget what an earlier transaction on this connection left (one rolled back is
                // never counted or published), so the record below is this transaction's alone.
                _ = Outbox.takeAppended(in: db)
                try db.inTransaction {
                    result = try body(db)
                    return .commit
                }
                let value = result!
                afterCommit?(value)
                let appended = Outbox.takeAppended(in: db)
                if let last = appended.last {
                    var counts: [String: Int] = [:]
                    for event in appended { counts[event.name, default: 0] += 1 }
                    for (name, count) in counts {
                        metrics.counter("gavel_events_total", [("event", name)]).increment(by: count)
                    }
                    let indexed = appended.compactMap { event in
                        Outbox.isIndexed(event.name) ? event.subject.map { ($0, event.seq) } : nil
                    }
                    feed.published(indexed, upTo: last.seq)
                }
                return value
            }
            // A request's write answers its deadline, which cancellation cannot do once the write
            // waits for the writer. A write whose request was answered 503 never runs.
            guard let deadline = RequestDeadline.alarm() else { return try await writer.writeWithoutTransaction(transaction) }
            return try await withCheckedThrowingContinuation { continuation in
                let answer = FirstAnswer(continuation)
                writer.asyncWriteWithoutTransaction { db in
                    guard answer.claim() else { return }
                    answer.resume(with: Result { try transaction(db) })
                }
                answer.answer(deadline)
            }
        }
    }

    /// True when the database answers a trivial query.
    func isReachable() async -> Bool {
        (try? await read("ping") { db in try Int.fetchOne(db, sql: "SELECT 1") }) == 1
    }
}

extension Database {
    /// Rows of `(seq, id)`, in the order `sql` gives them, grouped by id: the in-memory indexes
    /// that stand in for per-item SQLite indexes are built with this at start-up.
    func sequencesByID(_ sql: String) throws -> [UUID: [Int64]] {
        var byText: [String: [Int64]] = [:]
        let rows = try Row.fetchCursor(self, sql: sql)
        while let row = try rows.next() {
            byText[row[1], default: []].append(row[0])
        }
        var byID: [UUID: [Int64]] = [:]
        byID.reserveCapacity(byText.count)
        for (text, seqs) in byText {
            if let id = Identifier.parse(text) { byID[id] = seqs }
        }
        return byID
    }
}
