import Foundation
import GavelCore
import HummingbirdTesting
import Testing

@testable import GavelApp

@Suite("Closing auctions")
struct AuctionCloserTests {
    @Test("an item closes at its end, not a moment before: sold when the reserve is met")
    func boundary() async throws {
        let bench = try await AuctionBench()
        let seller = try await TestUser.make()
        let bidder = try await TestUser.make()
        try await bench.run { client in
            let id = try await client.listItem(seller, bench: bench, ends: 60, extra: #", "extension_threshold_seconds": 0"#)
            _ = try await client.bid(bidder, on: id, amount: 1_000)
            bench.clock.advance(59.9)
            await bench.service.auctions.closer.closeDue()
            #expect(try await client.item(id)["status"] as? String == "active")
            bench.clock.advance(0.1)
            await bench.service.auctions.closer.closeDue()
            let item = try await client.item(id)
            #expect(item["status"] as? String == "sold")
            #expect(item["winner_id"] as? String == bidder.id.text)
            #expect(item["final_price"] as? Int == 1_000)
            await bench.service.auctions.closer.closeDue()
            #expect(try await client.item(id)["version"] as? Int == item["version"] as? Int)
        }
    }

    @Test("an item whose reserve is not met, or without bids, closes unsold")
    func unsold() async throws {
        let bench = try await AuctionBench()
        let seller = try await TestUser.make()
        let bidder = try await TestUser.make()
        try await bench.run { client in
            let reserved = try await client.listItem(
                seller, bench: bench, ends: 60, extra: #", "reserve_price": 5000, "extension_threshold_seconds": 0"#)
            let empty = try await client.listItem(seller, bench: bench, ends: 60)
            _ = try await client.bid(bidder, on: reserved, amount: 1_000)
            bench.clock.advance(61)
            await bench.service.auctions.closer.closeDue()
            for id in [reserved, empty] {
                let item = try await client.item(id)
                #expect(item["status"] as? String == "unsold")
                #expect(item["winner_id"] == nil)
            }
        }
    }

    @Test("items whose end passed while the process was down are closed at start-up")
    func afterRestart() async throws {
        let path = StorageTests.temporaryDatabase()
        let clock = TestClock()
        let seller = try await TestUser.make()
        let bidder = try await TestUser.make()
        let first = try await AuctionBench(database: path, clock: clock)
        let id = try await first.run { client in
            let id = try await client.listItem(seller, bench: first, ends: 30)
            _ = try await client.bid(bidder, on: id, amount: 1_000)
            return id
        }
        clock.advance(3_600)
        let second = try await AuctionBench(database: path, clock: clock)
        try await second.run { client in
            await second.service.auctions.closer.closeDue()
            let item = try await client.item(id)
            #expect(item["status"] as? String == "sold")
            #expect(item["bid_count"] as? Int == 1)
        }
    }
}
