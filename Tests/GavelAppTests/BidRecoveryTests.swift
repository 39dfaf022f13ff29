import Foundation
import GRDB
import GavelCore
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import GavelApp

/// Plain bids write bid rows only; an item row is rewritten when more than price and leader
/// change. These tests check that a restart rebuilds exactly what memory held.
@Suite("Restart recovery of items and bids")
struct BidRecoveryTests {
    @Test("after a restart every item equals its state before: a proxy defence, an extension, later plain bids")
    func itemsCatchUp() async throws {
        let path = StorageTests.temporaryDatabase()
        let clock = TestClock()
        let seller = try await TestUser.make()
        let alice = try await TestUser.make()
        let bob = try await TestUser.make()
        // Bids in the last minute extend the end by five: the second bid on `extended` is plain.
        let settings = ["GAVEL_AUCTIONS_EXTENSION_THRESHOLD": "1m", "GAVEL_AUCTIONS_EXTENSION_DURATION": "5m"]
        let first = try await AuctionBench(database: path, clock: clock, environment: settings)
        let (proxied, extended, history) = try await first.run { client in
            let proxied = try await client.listItem(seller, bench: first)
            #expect(try await client.bid(alice, on: proxied, amount: 1_000, max: 3_000).status == .created)
            #expect(try await client.bid(bob, on: proxied, amount: 1_500).status == .created)
            let extended = try await client.listItem(seller, bench: first, increment: 10, ends: 600)
            clock.advance(570)
            #expect(try await client.bid(alice, on: extended, amount: 1_000).status == .created)
            clock.advance(60)
            #expect(try await client.bid(bob, on: extended, amount: 1_010).status == .created)
            let history = try await client.execute(uri: "/api/v1/items/\(proxied)/bids", method: .get).object()
            return (proxied, extended, (history["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? [])
        }
        let ids = try [proxied, extended].map { try #require(UUID(uuidString: $0)) }
        // What clients see of an item, and its leader's secret maximum.
        func snapshot(_ bench: AuctionBench) throws -> [String] {
            try ids.map { id in
                let item = try #require(bench.service.auctions.catalog.find(id))
                return String(decoding: ItemRepresentation.json(item), as: UTF8.self) + " max \(item.state.leaderMax ?? 0)"
            }
        }
        let before = try snapshot(first)
        // The rows lag: the proxy item's row still says no bids, the extended one stopped at the
        // extending bid. Otherwise this test would not exercise the catch-up.
        let rowCounts = try await first.service.store.read("test") { db in
            try ids.map { try Int.fetchOne(db, sql: "SELECT bid_count FROM items WHERE id = ?", arguments: [$0.text]) }
        }
        #expect(rowCounts == [0, 1])

        let second = try await AuctionBench(database: path, clock: clock, environment: settings)
        #expect(try snapshot(second) == before)
        try await second.run { client in
            let again = try await client.execute(uri: "/api/v1/items/\(proxied)/bids", method: .get).object()
            #expect(history.count == 2)
            #expect((again["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == history)
            #expect(again["total"] as? Int == 2)
            // Alice's secret maximum (3,000) came back too: it still defends her lead.
            #expect(try await client.bid(bob, on: proxied, amount: 2_500).status == .created)
            let item = try await client.item(proxied)
            #expect(item["leading_bidder_id"] as? String == alice.id.text)
            #expect(item["current_price"] as? Int == 2_600)
        }
    }

    @Test("bids stored before v5 have no maximum: their items' rows, always rewritten then, are kept as they are")
    func bidsFromBeforeV5() throws {
        let queue = try DatabaseQueue()
        try Migrations.migrator.migrate(queue, upTo: "v4-private-registrations")
        let now = Timestamp.truncated(Date())
        let terms = AuctionTerms(
            currency: Currency("EUR")!, startPrice: 100, bidIncrement: 10, reservePrice: nil, buyoutPrice: nil, startsAt: now,
            endsAt: now.addingTimeInterval(3_600), extensionThreshold: 0, extensionDuration: 0, maxExtension: 0)
        let bidder = Identifier.make()
        var state = AuctionState.opening(terms, status: .active)
        state.currentPrice = 150
        state.bidCount = 1
        state.leaderID = bidder
        state.leaderMax = 400
        let item = Item(
            id: Identifier.make(), sellerID: Identifier.make(), name: "Old", description: "", terms: terms, state: state,
            extensionOverridden: true, version: 2, createdAt: now, updatedAt: now)
        try queue.write { db in
            try ItemRecords.insert(item, in: db)
            try db.execute(
                sql: """
                    INSERT INTO bids (id, item_id, bidder_id, amount, max_amount, price_after, leader_after, created_at)
                    VALUES (?, ?, ?, 150, 400, 150, ?, ?)
                    """, arguments: [Identifier.make().text, item.id.text, bidder.text, bidder.text, Timestamp.millis(now)])
        }
        try Migrations.migrator.migrate(queue)
        let (items, bids) = try queue.read(ItemRecords.loadAll)
        #expect(items == [item])
        #expect(bids[item.id] == [1])
    }

    static let pages: [(Int, Int, [Int64], Int)] = [
        (1, 2, [5, 4], 5), (2, 2, [3, 2], 5), (3, 2, [1], 5), (4, 2, [], 5), (1, 100, [5, 4, 3, 2, 1], 5), (Int.max, 100, [], 5),
    ]

    @Test("an item's bid pages come newest first from the in-memory index, past the end empty", arguments: pages)
    func bidPages(page: Int, size: Int, expected: [Int64], total: Int) throws {
        let id = Identifier.make()
        let catalog = ItemCatalog([], bids: [id: [1, 2]])
        catalog.apply(changed: [], removed: [], bids: [(id, 3), (Identifier.make(), 4), (id, 4), (id, 5)])
        let result = catalog.bidSeqs(of: id, page: try PageRequest(page: page, size: size))
        #expect(result.seqs == expected)
        #expect(result.total == total)
        #expect(catalog.bidSeqs(of: Identifier.make(), page: try PageRequest()).total == 0)
    }

    static let positions: [(Int64, [Int64])] = [(0, [2, 5, 9]), (1, [2, 5, 9]), (2, [5, 9]), (4, [5, 9]), (5, [9]), (9, []), (100, [])]

    @Test("the feed finds a subject's events after any position", arguments: positions)
    func subjectEvents(after: Int64, expected: [Int64]) {
        let subject = Identifier.make()
        let feed = EventFeed(lastSeq: 5, subjects: [subject: [2, 5]])
        feed.published([(Identifier.make(), 6), (subject, 9)], upTo: 9)
        #expect(feed.seqs(of: subject, after: after, limit: 10) == expected)
        #expect(feed.seqs(of: subject, after: 0, limit: 2) == [2, 5])
        #expect(feed.lastSeq == 9)
    }
}
