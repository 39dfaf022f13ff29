import Foundation
import GRDB
import GRDBSQLite
import GavelCore

/// Runs a cached `INSERT` by binding its values with SQLite's C API, for the two statements
/// every bid executes (its row and its `bid.placed` event). GRDB's `StatementArguments` box
/// each value and ids and payloads would first become `String`s: together about a tenth of
/// the engine's CPU. Values are bound in order, `?1` first; SQLite copies each one.
struct DirectInsert {
    private let statement: Statement
    private var index: Int32 = 0

    /// `SQLITE_TRANSIENT`: SQLite copies the bytes before the bind returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private init(_ statement: Statement) {
        self.statement = statement
    }

    /// Binds with `bind`, steps once and resets; returns the new row's id.
    static func run(_ statement: Statement, in db: Database, _ bind: (inout DirectInsert) -> Void) throws -> Int64 {
        let raw = statement.sqliteStatement
        sqlite3_reset(raw)
        var insert = DirectInsert(statement)
        bind(&insert)
        // Every parameter, or a value from the previous execution would be inserted again.
        assert(insert.index == sqlite3_bind_parameter_count(raw), "\(insert.index) values for \(statement.sql)")
        let code = sqlite3_step(raw)
        defer { sqlite3_reset(raw) }
        guard code == SQLITE_DONE else {
            throw DatabaseError(
                resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                sql: statement.sql)
        }
        return db.lastInsertedRowID
    }

    private mutating func next() -> Int32 {
        index += 1
        return index
    }

    mutating func bind(_ value: Int) {
        sqlite3_bind_int64(statement.sqliteStatement, next(), Int64(value))
    }

    mutating func bind(_ value: Int?) {
        if let value { bind(value) } else { sqlite3_bind_null(statement.sqliteStatement, next()) }
    }

    mutating func bind(_ value: Int64) {
        sqlite3_bind_int64(statement.sqliteStatement, next(), value)
    }

    mutating func bind(_ value: String) {
        var value = value
        let position = next()
        value.withUTF8 { bytes in
            _ = sqlite3_bind_text(statement.sqliteStatement, position, bytes.baseAddress, Int32(bytes.count), Self.transient)
        }
    }

    /// UTF-8 text already in bytes, such as a JSON payload written by `JSONObjectWriter`.
    mutating func bind(utf8 bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { bind(text: $0) }
    }

    /// An id as its canonical text, from a buffer on the stack.
    mutating func bind(_ id: UUID) {
        id.withText { bind(text: $0) }
    }

    private mutating func bind(text: UnsafeBufferPointer<UInt8>) {
        sqlite3_bind_text(statement.sqliteStatement, next(), text.baseAddress, Int32(text.count), Self.transient)
    }

    mutating func bind(_ id: UUID?) {
        if let id { bind(id) } else { sqlite3_bind_null(statement.sqliteStatement, next()) }
    }
}
