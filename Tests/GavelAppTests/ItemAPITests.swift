import Foundation
import GavelCore
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import GavelApp

@Suite("Items API")
struct ItemAPITests {
    @Test("creating an item returns it active, with Location and ETag; the reserve is the seller's secret")
    func create() async throws {
        let bench = try await AuctionBench()
        let seller = try await TestUser.make()
        let other = try await TestUser.make()
        try await bench.run { client in
            let response = try await client.createItem(
                seller, json: #"{"name": " Clock ", "start_price": 1000, "reserve_price": 5000, "ends_at": "\#(bench.timestamp(60))"}"#)
            #expect(response.status == .created)
            let item = try response.object()
            let id = try #require(item["id"] as? String)
            #expect(response.headers[.location] == "/api/v1/items/\(id)")
            #expect(response.headers[.eTag] == "\"1\"")
            #expect(item["status"] as? String == "active")
            #expect(item["name"] as? String == "Clock")
            #expect(item["current_price"] as? Int == 1000)
            #expect(item["bid_increment"] as? Int == 50)
            #expect(item["reserve_price"] as? Int == 5000)
            let public_ = try await client.item(id, as: other)
            #expect(public_["reserve_price"] == nil)
            #expect(public_["reserve_met"] as? Bool == false)
        }
    }

    @Test("invalid listings are 422 naming every field", arguments: [
        (#"{"name": "", "start_price": 0, "ends_at": "2020-01-01T00:00:00Z"}"#, ["name", "start_price", "ends_at"]),
        (#"{"name": "A", "start_price": 100, "reserve_price": 50, "buyout_price": 80, "ends_at": "2999-01-01T00:00:00Z"}"#, ["reserve_price", "buyout_price", "ends_at"]),
        (#"{"name": "A", "start_price": 100, "ends_at": "tomorrow"}"#, ["ends_at"]),
        (#"{"name": "A", "start_price": 100, "ends_at": "2999-01-01T00:00:00Z", "status": "sold"}"#, ["status"]),
        // `END` is an hour from the bench clock.
        (#"{"name": "A", "start_price": 100, "bid_increment": 0, "currency": "XX", "extension_threshold_seconds": -1, "extension_duration_seconds": 86401, "ends_at": "END"}"#,
         ["bid_increment", "currency", "extension_threshold_seconds", "extension_duration_seconds"]),
        (#"{"name": "A", "start_price": 100, "bid_increment": 100000000001, "ends_at": "END"}"#, ["bid_increment"]),
        (#"{"name": "A", "start_price": 100, "buyout_price": 100, "ends_at": "END"}"#, ["buyout_price"]),
        // Years past four digits once crashed the process when the listing was written out.
        (#"{"name": "A", "start_price": 100, "starts_at": "300000-01-01T00:00:00Z", "ends_at": "300000-01-02T00:00:00Z"}"#, ["starts_at", "ends_at"]),
        (#"{"name": "A", "start_price": 100, "starts_at": "300000-01-01T00:00:00Z", "ends_at": "300000-01-02T00:00:00Z", "status": "draft"}"#, ["starts_at", "ends_at"]),
        (#"{"name": "A", "start_price": 100, "ends_at": "2030-01-31T2000000000:00:00Z"}"#, ["ends_at"]),
        (#"{"name": "A", "start_price": 100, "ends_at": "2030-02-31T12:00:00Z"}"#, ["ends_at"]),
        (#"{"name": "A", "start_price": 100, "ends_at": "ENDjunk"}"#, ["ends_at"]),
        // More than a year ahead.
        (#"{"name": "A", "start_price": 100, "starts_at": "9999-12-01T00:00:00Z", "ends_at": "9999-12-02T00:00:00Z"}"#, ["starts_at"]),
    ])
    func invalid(body: String, fields: [String]) async throws {
        let bench = try await AuctionBench()
        let seller = try await TestUser.make()
        try await bench.run { client in
            let response = try await client.createItem(seller, json: body.replacingOccurrences(of: "END", with: bench.timestamp(3_600)))
            #expect(response.status == .unprocessableContent, "\(response.text)")
            let errors = try #require(try response.object()["errors"] as? [[String: String]])
            #expect(Set(errors.compactMap { $0["field"] }) == Set(fields))
            let list = try await client.execute(uri: "/api/v1/items", method: .get, headers: seller.authorization)
            #expect(try list.object()["total"] as? Int == 0)
        }
    }

    @Test("the latest start a listing may have is a year ahead, and it is written back as sent")
    func latestStart() async throws {
        let bench = try await AuctionBench()
        let seller = try await TestUser.make()
        try await bench.run { client in
            let start = bench.timestamp(ItemRules.maxScheduleAhead), end = bench.timestamp(ItemRules.maxScheduleAhead + 60)
            let response = try await client.createItem(
                seller, json: #"{"name": "A", "start_price": 100, "starts_at": "\#(start)", "ends_at": "\#(end)"}"#)
            #expect(response.status == .created, "\(response.text)")
            #expect(try response.object()["starts_at"] as? String == start)
            #expect(try response.object()["status"] as? String == "scheduled")
        }
    }

    @Test("a start in the future makes the item scheduled; bids wait for the start")
    func scheduled() async throws {
        let bench = try await AuctionBench()
        let seller = try await TestUser.make()
        let bidder = try await TestUser.make()
        try await bench.run { client in
            let id = try await client.listItem(seller, bench: bench, extra: #", "starts_at": "\#(bench.timestamp(60))""#)
            #expect(try await client.item(id)["status"] as? String == "scheduled")
            let early = try await client.bid(bidder, on: id, amount: 1_000)
            #expect(early.status == .conflict)
            #expect(try early.problemCode() == "item.not_active")
            bench.clock.advance(61)
            await bench.service.auctions.closer.closeDue()
            #expect(try await client.item(id)["status"] as? String == "active")
            #expect(try await client.bid(bidder, on: id, amount: 1_000).status == .created)
        }
    }

    @Test("a bid at the start of a scheduled auction is taken before the closer has started it; the start comes first in the feed")
    func bidAtScheduledStart() async throws {
        let bench = try await AuctionBench()
        let seller = try await TestUser.make()
        let bidder = try await TestUser.make()
        try await bench.run { client in
            let id = try await client.listItem(seller, bench: bench, extra: #", "starts_at": "\#(bench.timestamp(60))""#)
            // The bench clock moves; the closer, asleep until the start by the wall clock, does not wake.
            bench.clock.advance(60)
            #expect(try await client.item(id)["status"] as? String == "scheduled")
            let bid = try await client.bid(bidder, on: id, amount: 1_000)
            #expect(bid.status == .created, "\(bid.text)")
            let item = try await client.item(id)
            #expect(item["status"] as? String == "active")
            #expect(item["bid_count"] as? Int == 1)
            let feed = try await client.execute(uri: "/api/v1/events?limit=100", method: .get)
            let events = try #require(try feed.object()["data"] as? [[String: Any]])
            let names = events.filter { ($0["payload"] as? [String: Any]).map { $0["id"] as? String == id || ($0["item"] as? [String: Any])?["id"] as? String == id } == true }
                .compactMap { $0["event"] as? String }
            #expect(names == ["item.created", "item.updated", "bid.placed"])
            // The closer's own start later finds nothing to do.
            await bench.service.auctions.closer.closeDue()
            #expect(try await client.item(id)["version"] as? Int == item["version"] as? Int)
        }
    }

    @Test("drafts are visible to their seller only, and publishing makes them active")
    func drafts() async throws {
        let bench = try await AuctionBench()
        let seller = try await TestUser.make()
        let other = try await TestUser.make()
        try await bench.run { client in
            let id = try await client.listItem(seller, bench: bench, extra: #", "status": "draft""#)
            let stranger = try await client.execute(uri: "/api/v1/items/\(id)", method: .get, headers: other.authorization)
            #expect(stranger.status == .notFound)
            let list = try await client.execute(uri: "/api/v1/items", method: .get)
            #expect(try list.object()["total"] as? Int == 0)
            let mine = try await client.execute(uri: "/api/v1/items?status=draft", method: .get, headers: seller.authorization)
            #expect(try mine.object()["total"] as? Int == 1)
            let publish = try await client.execute(
                uri: "/api/v1/items/\(id)", method: .patch, headers: seller.authorization + [.contentType: "application/merge-patch+json"],
                body: ByteBuffer(string: #"{"status": "active"}"#))
            #expect(publish.status == .ok)
            #expect(try publish.object()["status"] as? String == "active")
        }
    }

    @Test("the public event feed never shows a draft: publishing it is its item.created, deleting it leaves no trace")
    func draftsOffTheFeed() async throws {
        let bench = try await AuctionBench()
        let seller = try await TestUser.make()
        try await bench.run { client in
            let patch: HTTPFields = seller.authorization + [.contentType: "application/merge-patch+json"]
            let kept = try await client.listItem(seller, bench: bench, extra: #", "status": "draft""#)
            let dropped = try await client.listItem(seller, bench: bench, extra: #", "status": "draft""#)
            for (id, json) in [
                (kept, #"{"name": "Draft-time name"}"#), (kept, #"{"name": "Public name", "status": "active"}"#),
                (kept, #"{"description": "Now public"}"#),
            ] {
                let response = try await client.execute(uri: "/api/v1/items/\(id)", method: .patch, headers: patch, body: ByteBuffer(string: json))
                #expect(response.status == .ok, "\(response.text)")
            }
            let deleted = try await client.execute(uri: "/api/v1/items/\(dropped)", method: .delete, headers: seller.authorization)
            #expect(deleted.status == .noContent)
            // A draft has no auction to cancel: 409, and it stays the seller's alone.
            let unpublished = try await client.listItem(seller, bench: bench, extra: #", "status": "draft""#)
            let cancel = try await client.execute(uri: "/api/v1/items/\(unpublished)/cancel", method: .post, headers: seller.authorization)
            #expect(cancel.status == .conflict)
            #expect(try cancel.problemCode() == "item.draft")
            #expect(try await client.execute(uri: "/api/v1/items/\(unpublished)", method: .get).status == .notFound)
            let feed = try await client.execute(uri: "/api/v1/events?limit=1000", method: .get)
            let events = try #require(try feed.object()["data"] as? [[String: Any]]).filter { ($0["event"] as? String)?.hasPrefix("item.") == true }
            let names = events.map { $0["event"] as? String }
            let subjects = events.compactMap { ($0["payload"] as? [String: Any])?["id"] as? String }
            #expect(names == ["item.created", "item.updated"])
            #expect(subjects == [kept, kept])
            #expect(!feed.text.contains("Draft-time name"))
            #expect(!feed.text.contains("\"draft\""))
        }
    }

    @Test("list filters and sorts", arguments: ["ending_soon", "newest", "price"])
    func list(sort: String) async throws {
        let bench = try await AuctionBench()
        let seller = try await TestUser.make()
        try await bench.run { client in
            // Price, age and end each order the three differently.
            for (price, ends) in [(300, 100.0), (100, 300), (200, 200)] {
                _ = try await client.listItem(seller, bench: bench, start: price, ends: ends)
                bench.clock.advance(1)
            }
            let response = try await client.execute(uri: "/api/v1/items?sort=\(sort)&seller_id=\(seller.id.text)", method: .get)
            let prices = (try response.object()["data"] as? [[String: Any]] ?? []).compactMap { $0["current_price"] as? Int }
            switch sort {
            case "ending_soon": #expect(prices == [300, 200, 100])
            case "newest": #expect(prices == [200, 100, 300])
            default: #expect(prices == [100, 200, 300])
            }
            for query in ["status=gone", "sort=cheap"] {
                let bad = try await client.execute(uri: "/api/v1/items?\(query)", method: .get)
                #expect(bad.status == .badRequest, "\(query)")
            }
        }
    }

    @Test("prices and times are frozen once there is a bid; name and description are not")
    func frozen() async throws {
        let bench = try await AuctionBench()
        let seller = try await TestUser.make()
        let bidder = try await TestUser.make()
        try await bench.run { client in
            let id = try await client.listItem(seller, bench: bench)
            let patch: HTTPFields = seller.authorization + [.contentType: "application/merge-patch+json"]
            let before = try await client.execute(uri: "/api/v1/items/\(id)", method: .patch, headers: patch, body: ByteBuffer(string: #"{"start_price": 2000}"#))
            #expect(try before.object()["current_price"] as? Int == 2000)
            #expect(try await client.bid(bidder, on: id, amount: 2_000).status == .created)
            let frozen = try await client.execute(uri: "/api/v1/items/\(id)", method: .patch, headers: patch, body: ByteBuffer(string: #"{"ends_at": "\#(bench.timestamp(99))"}"#))
            #expect(frozen.status == .conflict)
            #expect(try frozen.problemCode() == "item.has_bids")
            let renamed = try await client.execute(uri: "/api/v1/items/\(id)", method: .patch, headers: patch, body: ByteBuffer(string: #"{"name": "Renamed"}"#))
            #expect(renamed.status == .ok)
            let stale = try await client.execute(
                uri: "/api/v1/items/\(id)", method: .patch, headers: patch + [.ifMatch: "\"1\""], body: ByteBuffer(string: #"{"name": "X"}"#))
            #expect(stale.status == .preconditionFailed)
            let stranger = try await TestUser.make()
            let forbidden = try await client.execute(
                uri: "/api/v1/items/\(id)", method: .patch, headers: stranger.authorization + [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"name": "X"}"#))
            #expect(forbidden.status == .forbidden)
        }
    }

    @Test("an edit that leaves the terms alone keeps a soft-close extension, and checks the text like a listing")
    func patchKeepsExtension() async throws {
        let bench = try await AuctionBench()
        let seller = try await TestUser.make()
        let bidder = try await TestUser.make()
        try await bench.run { client in
            let id = try await client.listItem(seller, bench: bench, ends: 601)
            let scheduledEnd = try #require(try await client.item(id)["ends_at"] as? String)
            bench.clock.advance(600)
            #expect(try await client.bid(bidder, on: id, amount: 1_000).status == .created)
            let extendedEnd = try #require(try await client.item(id)["ends_at"] as? String)
            try #require(extendedEnd != scheduledEnd)
            let patch: HTTPFields = seller.authorization + [.contentType: "application/merge-patch+json"]
            func send(_ json: String) async throws -> TestResponse {
                try await client.execute(uri: "/api/v1/items/\(id)", method: .patch, headers: patch, body: ByteBuffer(string: json))
            }
            for json in [#"{"status": "active"}"#, #"{"name": "Renamed", "status": "active"}"#] {
                let response = try await send(json)
                #expect(response.status == .ok, "\(response.text)")
                #expect(try response.object()["ends_at"] as? String == extendedEnd)
            }
            let unpublish = try await send(#"{"status": "draft"}"#)
            #expect(unpublish.status == .conflict)
            #expect(try unpublish.problemCode() == "item.published")
            let version = try await client.item(id)["version"] as? Int
            let long = String(repeating: "d", count: ProductRules.maxDescriptionLength + 1)
            for json in [#"{"description": "\#(long)"}"#, #"{"name": "   "}"#] {
                let refused = try await send(json)
                #expect(refused.status == .unprocessableContent, "\(refused.text)")
            }
            let item = try await client.item(id)
            #expect(item["version"] as? Int == version)
            #expect(item["name"] as? String == "Renamed")
            #expect(item["ends_at"] as? String == extendedEnd)
        }
    }

    @Test("a patch cannot move the end into the past, however long ago the item last changed")
    func patchEndInPast() async throws {
        let bench = try await AuctionBench()
        let seller = try await TestUser.make()
        try await bench.run { client in
            let id = try await client.listItem(seller, bench: bench, ends: 7_200)
            bench.clock.advance(600)  // the item last changed ten minutes ago; the token is still valid
            let response = try await client.execute(
                uri: "/api/v1/items/\(id)", method: .patch, headers: seller.authorization + [.contentType: "application/merge-patch+json"],
                body: ByteBuffer(string: #"{"ends_at": "\#(bench.timestamp(-60))"}"#))
            #expect(response.status == .unprocessableContent)
            let errors = try #require(try response.object()["errors"] as? [[String: String]])
            #expect(errors.contains { $0["field"] == "ends_at" })
            #expect(try await client.item(id)["version"] as? Int == 1)
            let empty = try await client.execute(
                uri: "/api/v1/items/\(id)", method: .patch, headers: seller.authorization + [.contentType: "application/merge-patch+json"],
                body: ByteBuffer(string: "{}"))
            #expect(empty.status == .unprocessableContent)
            #expect(try empty.problemCode() == "validation.empty_patch")
        }
    }

    @Test("a started auction keeps its start; its terms can change up to its last moment, not after")
    func patchStarted() async throws {
        let bench = try await AuctionBench()
        let seller = try await TestUser.make()
        try await bench.run { client in
            let id = try await client.listItem(seller, bench: bench, ends: 601)
            let startsAt = try #require(try await client.item(id)["starts_at"] as? String)
            let patch: HTTPFields = seller.authorization + [.contentType: "application/merge-patch+json"]
            func send(_ json: String) async throws -> TestResponse {
                try await client.execute(uri: "/api/v1/items/\(id)", method: .patch, headers: patch, body: ByteBuffer(string: json))
            }
            bench.clock.advance(300)
            // A price change half-way through leaves the start where it was.
            let repriced = try await send(#"{"start_price": 1500}"#)
            #expect(repriced.status == .ok, "\(repriced.text)")
            #expect(try repriced.object()["starts_at"] as? String == startsAt)
            #expect(try repriced.object()["current_price"] as? Int == 1500)
            // Sending the start back unchanged is fine; moving it is not.
            #expect(try await send(#"{"name": "Same start", "starts_at": "\#(startsAt)"}"#).status == .ok)
            for moved in [bench.timestamp(60), bench.timestamp(-60)] {
                let response = try await send(#"{"starts_at": "\#(moved)"}"#)
                #expect(response.status == .conflict, "\(response.text)")
                #expect(try response.problemCode() == "item.started")
            }
            // Half a second before the end, the terms can still change if the end is left alone.
            bench.clock.advance(300.5)
            let late = try await send(#"{"start_price": 1600}"#)
            #expect(late.status == .ok, "\(late.text)")
            // A new end must still be at least a second ahead (the end itself is 0.5 s ahead).
            let tooSoon = try await send(#"{"ends_at": "\#(bench.timestamp(0.8))"}"#)
            #expect(tooSoon.status == .unprocessableContent)
            // Once the end has passed, before the closer has run: no change, and no cancel.
            bench.clock.advance(1)
            let version = try await client.item(id)["version"] as? Int
            for json in [#"{"ends_at": "\#(bench.timestamp(3_600))"}"#, #"{"name": "Renamed"}"#] {
                let ended = try await send(json)
                #expect(ended.status == .conflict, "\(ended.text)")
                #expect(try ended.problemCode() == "item.ended")
            }
            let cancel = try await client.execute(uri: "/api/v1/items/\(id)/cancel", method: .post, headers: seller.authorization)
            #expect(cancel.status == .conflict)
            #expect(try cancel.problemCode() == "item.ended")
            #expect(try await client.item(id)["version"] as? Int == version)
            await bench.service.auctions.closer.closeDue()
            #expect(try await client.item(id)["status"] as? String == "unsold")
        }
    }

    @Test("delete and cancel work only without bids")
    func deleteAndCancel() async throws {
        let bench = try await AuctionBench()
        let seller = try await TestUser.make()
        let bidder = try await TestUser.make()
        try await bench.run { client in
            let empty = try await client.listItem(seller, bench: bench)
            let cancelled = try await client.execute(uri: "/api/v1/items/\(empty)/cancel", method: .post, headers: seller.authorization)
            #expect(cancelled.status == .ok)
            #expect(try cancelled.object()["status"] as? String == "cancelled")
            #expect(try await client.bid(bidder, on: empty, amount: 1_000).status == .conflict)
            let deleted = try await client.execute(uri: "/api/v1/items/\(empty)", method: .delete, headers: seller.authorization)
            #expect(deleted.status == .noContent)
            #expect(try await client.execute(uri: "/api/v1/items/\(empty)", method: .get).status == .notFound)

            let bidOn = try await client.listItem(seller, bench: bench)
            _ = try await client.bid(bidder, on: bidOn, amount: 1_000)
            let delete = try await client.execute(uri: "/api/v1/items/\(bidOn)", method: .delete, headers: seller.authorization)
            #expect(delete.status == .conflict)
            #expect(try delete.problemCode() == "item.has_bids")
            let cancel = try await client.execute(uri: "/api/v1/items/\(bidOn)/cancel", method: .post, headers: seller.authorization)
            #expect(cancel.status == .conflict)
        }
    }

    @Test("unknown or malformed item ids are 404 everywhere", arguments: [
        ("GET", ""), ("GET", "/bids"), ("GET", "/events"), ("POST", "/cancel"), ("POST", "/bids"), ("PATCH", ""), ("DELETE", ""),
    ])
    func notFound(method: String, suffix: String) async throws {
        let bench = try await AuctionBench()
        let user = try await TestUser.make()
        try await bench.run { client in
            // Bodies that would be accepted for an item that exists: only the id is wrong.
            let body: String? =
                switch (method, suffix) {
                case ("POST", "/bids"): #"{"amount": 1000}"#
                case ("PATCH", _): #"{"name": "Renamed"}"#
                default: nil
                }
            var headers = user.authorization
            if body != nil { headers[.contentType] = "application/json" }
            for id in ["0190f0e0-0000-7000-8000-000000000000", "nope", "0190F0E0-0000-7000-8000-00000000000Z"] {
                let response = try await client.execute(
                    uri: "/api/v1/items/\(id)\(suffix)", method: HTTPRequest.Method(method)!, headers: headers,
                    body: body.map { ByteBuffer(string: $0) })
                #expect(response.status == .notFound, "\(method) \(id)\(suffix)")
                if response.status == .notFound {
                    #expect(try response.object()["code"] as? String == "item.not_found")
                }
            }
        }
    }
}
