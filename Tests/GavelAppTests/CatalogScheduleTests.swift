import Foundation
import GavelCore
import Testing

@testable import GavelApp

/// The auction closer asks the catalog when the next item starts or ends and which are due; the
/// catalog answers from a schedule instead of walking every item, and must answer exactly what
/// that walk would.
@Suite("Catalog transition schedule")
struct CatalogScheduleTests {
    static let noon = Date(timeIntervalSince1970: 1_800_000_000)

    static func item(_ id: UUID = Identifier.make(), status: ItemStatus, startsAt: Date, endsAt: Date) -> Item {
        let terms = AuctionTerms(
            currency: Currency("EUR")!, startPrice: 100, bidIncrement: 10, startsAt: startsAt, endsAt: endsAt,
            extensionThreshold: 0, extensionDuration: 0, maxExtension: 0)
        return Item(
            id: id, sellerID: Identifier.make(), name: "item", description: "", terms: terms,
            state: .opening(terms, status: status), extensionOverridden: false, version: 1, createdAt: noon, updatedAt: noon)
    }

    /// The answers of a walk over every item.
    static func walk(_ items: [UUID: Item]) -> (next: Date?, due: (Date) -> Set<UUID>) {
        let keys = items.values.map(ItemListKey.init)
        return (
            keys.compactMap(\.nextTransition).min(),
            { now in Set(keys.filter { ($0.nextTransition ?? .distantFuture) <= now }.map(\.id)) }
        )
    }

    static func expectSameAnswers(_ catalog: ItemCatalog, _ items: [UUID: Item], at now: Date, _ label: String) {
        let walk = walk(items)
        #expect(catalog.nextTransition() == walk.next, "\(label): next transition")
        let due = catalog.due(at: now)
        #expect(Set(due) == walk.due(now), "\(label): due at \(now)")
        #expect(due.count == Set(due).count, "\(label): an item listed twice")
        #expect(catalog.due(at: now) == due, "\(label): asking again")
    }

    @Test("after random creations, extensions, starts, closes, cancels and removals it answers as a walk over every item")
    func answersAsAWalk() {
        var random = SplitMix64(seed: 0x5C4E_D01E)
        // Few distinct minutes, so transitions tie and move back to earlier values.
        func minute() -> Date { Self.noon.addingTimeInterval(Double(random.next() % 40) * 60) }
        var items: [UUID: Item] = [:]
        for _ in 0..<50 {
            let item = Self.item(status: .active, startsAt: Self.noon, endsAt: minute())
            items[item.id] = item
        }
        let catalog = ItemCatalog(Array(items.values))
        Self.expectSameAnswers(catalog, items, at: minute(), "start")
        for step in 0..<2_000 {
            let existing = items.keys.sorted { $0.sortsAfter($1) }
            let id = existing.isEmpty ? nil : existing[Int(random.next() % UInt64(existing.count))]
            switch (random.next() % 6, id) {
            case (0, _), (_, nil):
                let statuses: [ItemStatus] = [.draft, .scheduled, .active, .sold, .unsold, .cancelled]
                let start = minute()
                let item = Self.item(
                    status: statuses[Int(random.next() % 6)], startsAt: start, endsAt: start.addingTimeInterval(Double(random.next() % 20) * 60))
                items[item.id] = item
                catalog.upsert(item)
            case (1, let id?), (2, let id?):
                // An extension, or the end moved back by an edit.
                var item = items[id]!
                item.state.endsAt = minute()
                items[id] = item
                catalog.apply(changed: [item], removed: [], bids: [])
            case (3, let id?):
                var item = items[id]!
                item.state.status = [.active, .sold, .unsold, .cancelled][Int(random.next() % 4)]
                items[id] = item
                catalog.upsert(item)
            case (4, let id?):
                // A bid: the price moves, the transition does not.
                var item = items[id]!
                item.state.currentPrice += 10
                items[id] = item
                catalog.apply(changed: [item], removed: [], bids: [(id, Int64(step))])
            case (_, let id?):
                items[id] = nil
                catalog.apply(changed: [], removed: [id], bids: [])
            }
            Self.expectSameAnswers(catalog, items, at: minute(), "step \(step)")
        }
    }

    @Test("an item whose end moves away and back is due once")
    func movedBackIsDueOnce() {
        var item = Self.item(status: .active, startsAt: Self.noon, endsAt: Self.noon.addingTimeInterval(60))
        let catalog = ItemCatalog([item])
        item.state.endsAt = Self.noon.addingTimeInterval(120)
        catalog.upsert(item)
        item.state.endsAt = Self.noon.addingTimeInterval(60)
        catalog.upsert(item)
        #expect(catalog.due(at: Self.noon.addingTimeInterval(59)) == [])
        #expect(catalog.due(at: Self.noon.addingTimeInterval(60)) == [item.id])
        #expect(catalog.due(at: Self.noon.addingTimeInterval(600)) == [item.id])
        #expect(catalog.nextTransition() == Self.noon.addingTimeInterval(60))
    }

    @Test("due items come earliest first and stay due until their transition is applied")
    func dueStaysUntilApplied() {
        let late = Self.item(status: .active, startsAt: Self.noon, endsAt: Self.noon.addingTimeInterval(120))
        let early = Self.item(status: .scheduled, startsAt: Self.noon.addingTimeInterval(60), endsAt: Self.noon.addingTimeInterval(600))
        let catalog = ItemCatalog([late, early])
        let now = Self.noon.addingTimeInterval(300)
        #expect(catalog.due(at: now) == [early.id, late.id])
        #expect(catalog.due(at: now) == [early.id, late.id])
        var started = early
        started.state.status = .active
        var closed = late
        closed.state.status = .unsold
        catalog.apply(changed: [started, closed], removed: [], bids: [])
        #expect(catalog.due(at: now) == [])
        #expect(catalog.nextTransition() == Self.noon.addingTimeInterval(600))
    }

    @Test("an item extended by thousands of batches leaves the schedule bounded and its answers right")
    func replacedEntriesAreCompacted() {
        var items: [UUID: Item] = [:]
        for minute in 1...10 {
            let item = Self.item(status: .active, startsAt: Self.noon, endsAt: Self.noon.addingTimeInterval(Double(minute) * 60))
            items[item.id] = item
        }
        let catalog = ItemCatalog(Array(items.values))
        var hot = items.values.min { $0.state.endsAt < $1.state.endsAt }!
        for _ in 0..<10_000 {
            hot.state.endsAt += 1
            catalog.apply(changed: [hot], removed: [], bids: [])
        }
        items[hot.id] = hot
        #expect(catalog.scheduleSize <= 2 * items.count + 1_024)
        Self.expectSameAnswers(catalog, items, at: hot.state.endsAt, "after the extensions")
        Self.expectSameAnswers(catalog, items, at: hot.state.endsAt - 1, "just before the hot item's end")
    }
}
