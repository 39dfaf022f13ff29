import GRDB

/// The schema, as an ordered list of migrations. A migration, once shipped, never changes.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-foundation") { db in
            // Accounts; the identity capability adds its columns and tables in later migrations.
            try db.execute(sql: """
                CREATE TABLE users (
                    id TEXT PRIMARY KEY NOT NULL,
                    email TEXT NOT NULL UNIQUE,
                    name TEXT NOT NULL,
                    password_hash TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                ) STRICT;

                CREATE TABLE products (
                    id TEXT PRIMARY KEY NOT NULL,
                    seller_id TEXT NOT NULL,
                    name TEXT NOT NULL,
                    name_key TEXT NOT NULL,
                    description TEXT NOT NULL,
                    price INTEGER NOT NULL CHECK (price > 0),
                    currency TEXT NOT NULL,
                    stock INTEGER NOT NULL CHECK (stock >= 0),
                    version INTEGER NOT NULL,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    UNIQUE (seller_id, name_key)
                ) STRICT;

                -- The outbox: written in the same transaction as the change it describes.
                CREATE TABLE events (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    event TEXT NOT NULL,
                    version TEXT NOT NULL,
                    timestamp INTEGER NOT NULL,
                    trace_id TEXT NOT NULL,
                    correlation_id TEXT NOT NULL,
                    subject_id TEXT,
                    payload TEXT NOT NULL
                ) STRICT;
                CREATE INDEX events_subject ON events (subject_id, seq);

                -- Responses of creating requests, replayed for retries with the same key.
                CREATE TABLE idempotency_keys (
                    user_id TEXT NOT NULL,
                    scope TEXT NOT NULL,
                    key TEXT NOT NULL,
                    request_hash TEXT NOT NULL,
                    status INTEGER NOT NULL,
                    location TEXT,
                    body BLOB NOT NULL,
                    created_at INTEGER NOT NULL,
                    PRIMARY KEY (user_id, scope, key)
                ) STRICT, WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v2-identity") { db in
            try db.execute(sql: """
                ALTER TABLE users ADD COLUMN two_factor_secret BLOB;
                -- A secret handed out by /2fa/enable and not yet confirmed by /2fa/verify.
                ALTER TABLE users ADD COLUMN two_factor_pending_secret BLOB;
                -- The last TOTP time step accepted: a code of that step or older is a replay.
                ALTER TABLE users ADD COLUMN two_factor_last_step INTEGER;

                CREATE TABLE refresh_tokens (
                    token_hash TEXT PRIMARY KEY NOT NULL,
                    user_id TEXT NOT NULL,
                    family_id TEXT NOT NULL,
                    amr TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL,
                    revoked_at INTEGER
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

                CREATE TABLE recovery_codes (
                    user_id TEXT NOT NULL,
                    code_hash TEXT NOT NULL,
                    used_at INTEGER,
                    PRIMARY KEY (user_id, code_hash)
                ) STRICT, WITHOUT ROWID;

                -- Failed attempts per account and per client address; kept in the database so a
                -- restart does not reset a lockout.
                CREATE TABLE auth_failures (
                    scope TEXT NOT NULL,
                    key TEXT NOT NULL,
                    failures INTEGER NOT NULL,
                    window_started_at INTEGER NOT NULL,
                    locked_until INTEGER,
                    PRIMARY KEY (scope, key)
                ) STRICT, WITHOUT ROWID;

                CREATE TABLE two_factor_challenges (
                    id TEXT PRIMARY KEY NOT NULL,
                    user_id TEXT NOT NULL,
                    failures INTEGER NOT NULL DEFAULT 0,
                    expires_at INTEGER NOT NULL,
                    consumed_at INTEGER
                ) STRICT, WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v3-auctions") { db in
            try db.execute(sql: """
                CREATE TABLE items (
                    id TEXT PRIMARY KEY NOT NULL,
                    seller_id TEXT NOT NULL,
                    name TEXT NOT NULL,
                    description TEXT NOT NULL,
                    currency TEXT NOT NULL,
                    start_price INTEGER NOT NULL CHECK (start_price > 0),
                    bid_increment INTEGER NOT NULL CHECK (bid_increment > 0),
                    reserve_price INTEGER,
                    buyout_price INTEGER,
                    starts_at INTEGER NOT NULL,
                    scheduled_ends_at INTEGER NOT NULL,
                    ends_at INTEGER NOT NULL,
                    extension_threshold_ms INTEGER NOT NULL,
                    extension_duration_ms INTEGER NOT NULL,
                    max_extension_ms INTEGER NOT NULL,
                    extension_overridden INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    current_price INTEGER NOT NULL,
                    bid_count INTEGER NOT NULL,
                    leader_id TEXT,
                    leader_max INTEGER,
                    winner_id TEXT,
                    final_price INTEGER,
                    version INTEGER NOT NULL,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                ) STRICT;

                -- Accepted bids in commit order (seq), with the price and leader they produced.
                CREATE TABLE bids (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    item_id TEXT NOT NULL,
                    bidder_id TEXT NOT NULL,
                    amount INTEGER NOT NULL,
                    max_amount INTEGER NOT NULL,
                    price_after INTEGER NOT NULL,
                    leader_after TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                ) STRICT;
                CREATE INDEX bids_item ON bids (item_id, seq);

                -- Bids that could not be committed after retries, kept for inspection.
                CREATE TABLE dead_letters (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    item_id TEXT NOT NULL,
                    bidder_id TEXT NOT NULL,
                    amount INTEGER NOT NULL,
                    max_amount INTEGER,
                    error TEXT NOT NULL,
                    attempts INTEGER NOT NULL,
                    created_at INTEGER NOT NULL
                ) STRICT;
                """)
        }
        migrator.registerMigration("v4-private-registrations") { db in
            // The public event feed carried new accounts' email addresses; remove them from
            // what was already written.
            try db.execute(sql: """
                UPDATE events SET payload = json_remove(payload, '$.email')
                WHERE event = 'identity.user.registered' AND json_extract(payload, '$.email') IS NOT NULL
                """)
        }
        migrator.registerMigration("v5-append-only-bids") { db in
            // Bids and events are appended in commit order and nothing else: the per-item indexes
            // put every bid on two random index pages, which made a commit write about six pages
            // per bid. Which bids and events belong to an item is kept in memory instead (built
            // from these tables at start-up), and a bid row now holds enough to bring its item up
            // to date, so a batch of plain bids need not rewrite item rows.
            try db.execute(sql: """
                DROP INDEX bids_item;
                DROP INDEX events_subject;
                ALTER TABLE bids ADD COLUMN leader_max_after INTEGER;
                """)
        }
        migrator.registerMigration("v6-lean-append-tables") { db in
            // Every bid inserts a bid row and an event row, and each insert also updated
            // `sqlite_sequence` (AUTOINCREMENT) and a unique index on the 36-character id:
            // together about a quarter of the engine's CPU per bid. `seq` stays the order and the
            // key; a plain INTEGER PRIMARY KEY gives max(seq) + 1, the same numbers, because these
            // rows are never deleted. The ids are unique by how they are made (`Identifier`: a
            // millisecond, then a random start that counts up within it), and nothing looks a
            // row up by id. The tables are copied once, seq values included.
            try db.execute(sql: """
                CREATE TABLE events_v6 (
                    seq INTEGER PRIMARY KEY,
                    id TEXT NOT NULL,
                    event TEXT NOT NULL,
                    version TEXT NOT NULL,
                    timestamp INTEGER NOT NULL,
                    trace_id TEXT NOT NULL,
                    correlation_id TEXT NOT NULL,
                    subject_id TEXT,
                    payload TEXT NOT NULL
                ) STRICT;
                INSERT INTO events_v6 (seq, id, event, version, timestamp, trace_id, correlation_id, subject_id, payload)
                    SELECT seq, id, event, version, timestamp, trace_id, correlation_id, subject_id, payload FROM events ORDER BY seq;
                DROP TABLE events;
                ALTER TABLE events_v6 RENAME TO events;

                CREATE TABLE bids_v6 (
                    seq INTEGER PRIMARY KEY,
                    id TEXT NOT NULL,
                    item_id TEXT NOT NULL,
                    bidder_id TEXT NOT NULL,
                    amount INTEGER NOT NULL,
                    max_amount INTEGER NOT NULL,
                    price_after INTEGER NOT NULL,
                    leader_after TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    leader_max_after INTEGER
                ) STRICT;
                INSERT INTO bids_v6 (seq, id, item_id, bidder_id, amount, max_amount, price_after, leader_after, created_at, leader_max_after)
                    SELECT seq, id, item_id, bidder_id, amount, max_amount, price_after, leader_after, created_at, leader_max_after
                    FROM bids ORDER BY seq;
                DROP TABLE bids;
                ALTER TABLE bids_v6 RENAME TO bids;

                DELETE FROM sqlite_sequence WHERE name IN ('events', 'bids');
                """)
        }
        return migrator
    }
}
