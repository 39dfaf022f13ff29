import Foundation
import GRDB
import GavelCore

/// Items, bids and dead letters in SQLite. Writers are the bid engine's workers (one per item)
/// and item creation; all statements take a `Database` so a worker can commit a whole batch in
/// one transaction.
enum ItemRecords {
    /// Every item as of the last commit, and each item's bids (sequence numbers, oldest first).
    ///
    /// A batch of plain bids writes only bid rows: the item row is rewritten when something else
    /// changes (an edit, a soft-close extension, a buy-now, a start or close), so it may lag its
    /// latest bids. Each bid row holds the price, leader and leader's maximum it produced, which
    /// is all a plain bid changes besides the count, version and update time, so an item is
    /// brought up to date from its newest bid alone.
    static func loadAll(_ db: Database) throws -> (items: [Item], bids: [UUID: [Int64]]) {
        let bids = try db.sequencesByID("SELECT seq, item_id FROM bids ORDER BY seq")
        let items = try Array(Row.fetchCursor(db, sql: "SELECT * FROM items").map(item)).map { stored -> Item in
            guard let seqs = bids[stored.id], seqs.count > stored.state.bidCount,
                let newest = try Self.bids(seqs: [seqs[seqs.count - 1]], in: db).first
            else { return stored }
            return caughtUp(stored, newest: newest, bidCount: seqs.count)
        }
        return (items, bids)
    }

    /// `stored`, whose row reflects its first `bidCount` bids only, after the later ones.
    static func caughtUp(_ stored: Item, newest: BidRecord, bidCount: Int) -> Item {
        // Bids written before v5 have no maximum; their items' rows were always current.
        guard let leaderMax = newest.leaderMaxAfter else { return stored }
        var item = stored
        item.version += bidCount - stored.state.bidCount
        item.state.bidCount = bidCount
        item.state.currentPrice = newest.priceAfter
        item.state.leaderID = newest.leaderAfter
        item.state.leaderMax = leaderMax
        item.updatedAt = max(stored.updatedAt, newest.createdAt)
        return item
    }

    static func insert(_ item: Item, in db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO items (id, seller_id, name, description, currency, start_price, bid_increment, reserve_price,
                buyout_price, starts_at, scheduled_ends_at, ends_at, extension_threshold_ms, extension_duration_ms,
                max_extension_ms, extension_overridden, status, current_price, bid_count, leader_id, leader_max,
                winner_id, final_price, version, created_at, updated_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21,
                ?22, ?23, ?24, ?25, ?26)
            """).execute(arguments: arguments(item))
    }

    static func update(_ item: Item, in db: Database) throws {
        try db.cachedStatement(sql: """
            UPDATE items SET seller_id = ?2, name = ?3, description = ?4, currency = ?5, start_price = ?6,
                bid_increment = ?7, reserve_price = ?8, buyout_price = ?9, starts_at = ?10, scheduled_ends_at = ?11,
                ends_at = ?12, extension_threshold_ms = ?13, extension_duration_ms = ?14, max_extension_ms = ?15,
                extension_overridden = ?16, status = ?17, current_price = ?18, bid_count = ?19, leader_id = ?20,
                leader_max = ?21, winner_id = ?22, final_price = ?23, version = ?24, created_at = ?25, updated_at = ?26
            WHERE id = ?1
            """).execute(arguments: arguments(item))
    }

    static func delete(_ id: UUID, in db: Database) throws {
        try db.cachedStatement(sql: "DELETE FROM items WHERE id = ?").execute(arguments: [id.text])
    }

    /// Appends a bid and returns its sequence number.
    static func insert(_ bid: BidRecord, in db: Database) throws -> Int64 {
        try insert([bid], in: db)[0]
    }

    /// Appends bids in order and returns their sequence numbers.
    static func insert(_ bids: [BidRecord], in db: Database) throws -> [Int64] {
        guard !bids.isEmpty else { return [] }
        let statement = try db.cachedStatement(sql: """
            INSERT INTO bids (id, item_id, bidder_id, amount, max_amount, price_after, leader_after, leader_max_after,
                created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        return try bids.map { bid in try insert(bid, with: statement, in: db) }
    }

    private static func insert(_ bid: BidRecord, with statement: Statement, in db: Database) throws -> Int64 {
        try DirectInsert.run(statement, in: db) { values in
            values.bind(bid.id)
            values.bind(bid.itemID)
            values.bind(bid.bidderID)
            values.bind(bid.amount)
            values.bind(bid.maxAmount)
            values.bind(bid.priceAfter)
            values.bind(bid.leaderAfter)
            values.bind(bid.leaderMaxAfter)
            values.bind(Timestamp.millis(bid.createdAt))
        }
    }

    /// The bids with these sequence numbers, in the order given; the in-memory catalog knows
    /// which belong to an item.
    static func bids(seqs: some Sequence<Int64>, in db: Database) throws -> [BidRecord] {
        let statement = try db.cachedStatement(sql: "SELECT * FROM bids WHERE seq = ?")
        return try seqs.compactMap { seq in try Row.fetchOne(statement, arguments: [seq]).map(bid) }
    }

    static func insertDeadLetter(_ bid: BidRequest, item: UUID, error: String, attempts: Int, in db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO dead_letters (item_id, bidder_id, amount, max_amount, error, attempts, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                item.text, bid.bidderID.text, bid.amount, bid.maxAmount, error, attempts, Timestamp.millis(bid.at),
            ])
    }

    private static func arguments(_ item: Item) -> StatementArguments {
        let terms = item.terms, state = item.state
        return [
            item.id.text, item.sellerID.text, item.name, item.description, terms.currency.code, terms.startPrice,
            terms.bidIncrement, terms.reservePrice, terms.buyoutPrice, Timestamp.millis(terms.startsAt),
            Timestamp.millis(terms.endsAt), Timestamp.millis(state.endsAt), Int64(terms.extensionThreshold * 1000),
            Int64(terms.extensionDuration * 1000), Int64(terms.maxExtension * 1000), item.extensionOverridden,
            state.status.rawValue, state.currentPrice, state.bidCount, state.leaderID?.text, state.leaderMax,
            state.winnerID?.text, state.finalPrice, item.version, Timestamp.millis(item.createdAt),
            Timestamp.millis(item.updatedAt),
        ]
    }

    /// Rows are only ever written by this type, so their values are known to be valid.
    private static func item(_ row: Row) -> Item {
        let terms = AuctionTerms(
            currency: Currency(row["currency"])!, startPrice: row["start_price"], bidIncrement: row["bid_increment"],
            reservePrice: row["reserve_price"], buyoutPrice: row["buyout_price"],
            startsAt: Timestamp.date(millis: row["starts_at"]), endsAt: Timestamp.date(millis: row["scheduled_ends_at"]),
            extensionThreshold: Double(row["extension_threshold_ms"] as Int64) / 1000,
            extensionDuration: Double(row["extension_duration_ms"] as Int64) / 1000,
            maxExtension: Double(row["max_extension_ms"] as Int64) / 1000)
        let state = AuctionState(
            status: ItemStatus(rawValue: row["status"])!, currentPrice: row["current_price"], bidCount: row["bid_count"],
            leaderID: (row["leader_id"] as String?).flatMap { Identifier.parse($0) }, leaderMax: row["leader_max"],
            endsAt: Timestamp.date(millis: row["ends_at"]),
            winnerID: (row["winner_id"] as String?).flatMap { Identifier.parse($0) }, finalPrice: row["final_price"])
        return Item(
            id: Identifier.parse(row["id"] as String)!, sellerID: Identifier.parse(row["seller_id"] as String)!, name: row["name"],
            description: row["description"], terms: terms, state: state, extensionOverridden: row["extension_overridden"],
            version: row["version"], createdAt: Timestamp.date(millis: row["created_at"]),
            updatedAt: Timestamp.date(millis: row["updated_at"]))
    }

    private static func bid(_ row: Row) -> BidRecord {
        BidRecord(
            id: Identifier.parse(row["id"] as String)!, itemID: Identifier.parse(row["item_id"] as String)!,
            bidderID: Identifier.parse(row["bidder_id"] as String)!, amount: row["amount"], maxAmount: row["max_amount"],
            priceAfter: row["price_after"], leaderAfter: Identifier.parse(row["leader_after"] as String)!,
            leaderMaxAfter: row["leader_max_after"], createdAt: Timestamp.date(millis: row["created_at"]))
    }
}
