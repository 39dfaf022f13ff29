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
            // The closer's own first pass, not one called here: poll for up to 5 s.
            var item = try await client.item(id)
            for _ in 0..<250 where item["status"] as? String == "active" {
                try await Task.sleep(for: .milliseconds(20))
                item = try await client.item(id)
            }
            #expect(item["status"] as? String == "sold")
            #expect(item["bid_count"] as? Int == 1)
            #expect(item["winner_id"] as? String == bidder.id.text)
            #expect(item["final_price"] as? Int == 1_000)
            let feed = try await client.execute(uri: "/api/v1/events?limit=100", method: .get)
            let events = try #require(try feed.object()["data"] as? [[String: Any]])
            let closes = events.filter { ($0["payload"] as? [String: Any])?["id"] as? String == id }.compactMap { $0["event"] as? String }
            #expect(closes.filter { $0 == "item.closed" }.count == 1)
            #expect(closes.filter { $0 == "bid.won" }.count == 1)
            // A token valid at the moved clock: the first one expired with the hour it moved.
            let other = UUID()
            let token = try await TestApp.token(for: other, expiresIn: 7_200)
            let late = try await client.bid(TestUser(id: other, token: token), on: id, amount: 2_000)
            #expect(late.status == .conflict, "\(late.text)")
        }
    }

    @Test("the closer's transitions are taken by a full queue, where bids are refused")
    func transitionsPassFullQueue() async throws {
        let bench = try await AuctionBench()
        let seller = try await TestUser.make()
        let bidder = try await TestUser.make()
        try await bench.run { client in
            let id = try #require(UUID(uuidString: try await client.listItem(seller, bench: bench)))
            let worker = bench.worker(capacity: 1)
            func bid(_ amount: Int) -> ItemCommand { bench.bidCommand(bidder, amount) }
            // Not running yet: the first bid fills the queue.
            async let queued = worker.submit(id, bid(1_200))
            try await Task.sleep(for: .milliseconds(20))
            await #expect(throws: StorageError.overloaded) { try await worker.submit(id, bid(1_300)) }
            async let transition = worker.submit(id, .transition(now: bench.clock.now.addingTimeInterval(7_200)))
            try await Task.sleep(for: .milliseconds(20))
            let running = Task { await worker.run() }
            guard case .bidAccepted = try await queued, case .transitioned(let closed) = try await transition else {
                Issue.record("the queued bid or the transition was not applied")
                return
            }
            #expect(closed?.state.status == .sold)
            worker.finish()
            await running.value
        }
    }
}
