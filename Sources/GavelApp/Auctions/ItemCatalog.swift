import Foundation
import GavelCore
import HeapModule
import Synchronization

/// Every item in memory, with the sequence numbers of its bids, updated by the writer right
/// after each commit (see `Store.write`), so reads are exact without touching SQLite and a bid
/// history is a handful of lookups by primary key. The bid engine reads an item's state from
/// here at the start of each batch; it is the only writer of items that exist.
final class ItemCatalog: Sendable {
    private struct State {
        var items: [UUID: Item] = [:]
        /// Each item's list key, kept beside it: a pass over every item (a list, the closer's
        /// next deadline) walks these, which hold no references, and copies out only the items
        /// it returns. Walking the items themselves copied each one (300 bytes, its strings
        /// retained) at every step.
        var keys: [UUID: ItemListKey] = [:]
        /// Each item's bids, oldest first.
        var bids: [UUID: [Int64]]
        /// When items change by themselves (`ItemListKey.nextTransition`), earliest first, so the
        /// auction closer's questions do not walk every item: they did, twice per re-arm, and
        /// with 100,000 items that took 40% of a core while items were being created. An entry
        /// is current while its item's key still has that transition; others are dropped when
        /// they reach the front.
        var schedule = Heap<Transition>()

        mutating func store(_ item: Item) {
            items[item.id] = item
            let key = ItemListKey(item)
            let previous = keys.updateValue(key, forKey: item.id)
            if let transition = key.transition, previous?.nextTransition != transition.at {
                schedule.insert(transition)
                // Entries replaced by later ones stay until their time comes: a hot item
                // extended by every batch adds hundreds a second. Rebuild from the keys when
                // they outnumber the items; at least as many inserts come between two rebuilds
                // as a rebuild visits.
                if schedule.count > 2 * keys.count + 1_024 {
                    schedule = Heap(keys.values.lazy.compactMap(\.transition))
                }
            }
        }

        func isCurrent(_ transition: Transition) -> Bool {
            keys[transition.id]?.nextTransition == transition.at
        }

        /// Drops entries at the front that are no longer current.
        mutating func pruneSchedule() {
            while let first = schedule.min, !isCurrent(first) { _ = schedule.popMin() }
        }

        mutating func remove(_ id: UUID) {
            items[id] = nil
            keys[id] = nil
            bids[id] = nil
        }
    }

    private let state: Mutex<State>
    /// How a list with a text filter walks the items (see `list`).
    let textScan: SlicedScan

    init(_ items: [Item], bids: [UUID: [Int64]] = [:], textScan: SlicedScan = .standard) {
        self.textScan = textScan
        var state = State(bids: bids)
        state.items.reserveCapacity(items.count)
        state.keys.reserveCapacity(items.count)
        for item in items { state.store(item) }
        self.state = Mutex(state)
    }

    func find(_ id: UUID) -> Item? { state.withLock { $0.items[id] } }

    /// Whether the item exists for `viewer` (a draft for its seller only), without copying it out.
    func isVisible(_ id: UUID, to viewer: UUID?) -> Bool {
        state.withLock { state in
            guard let key = state.keys[id] else { return false }
            return key.status != .draft || key.sellerID == viewer
        }
    }

    func upsert(_ item: Item) { state.withLock { $0.store(item) } }

    /// What a committed batch did: items changed or removed, and bids appended in commit order.
    func apply(changed: some Sequence<Item>, removed: some Sequence<UUID>, bids: [(item: UUID, seq: Int64)]) {
        state.withLock { state in
            for item in changed { state.store(item) }
            for id in removed { state.remove(id) }
            for bid in bids { state.bids[bid.item, default: []].append(bid.seq) }
        }
    }

    /// A page of an item's bids, newest first, and how many there are.
    func bidSeqs(of id: UUID, page: PageRequest) -> (seqs: [Int64], total: Int) {
        state.withLock { state in
            guard let seqs = state.bids[id] else { return ([], 0) }
            let newest = seqs.count - page.offset
            guard newest > 0 else { return ([], seqs.count) }
            return (Array(seqs[max(0, newest - page.size)..<newest].reversed()), seqs.count)
        }
    }

    /// A page of items. One pass over the list keys under the lock keeps only the best of them
    /// for the page (a first page of 100,000 items sorted all of them before: 0.3–0.9 s), and only
    /// the page's items are copied out.
    ///
    /// A text filter needs each item's name and description, so it is checked a slice of items
    /// at a time, letting the lock go in between (`textScan`); the page is chosen outside the
    /// lock. Each item is filtered, counted and ordered as it was when its slice was checked,
    /// and shown as it is at the end: an item removed in the meantime is counted but not
    /// listed, and one created in the meantime is neither.
    func list(_ query: ItemQuery, page: PageRequest) async -> (items: [Item], total: Int) {
        guard query.search != nil else {
            return state.withLock { state in
                let (keys, total) = page.select(from: state.keys.values.lazy.filter(query.matches), by: query.areInIncreasingOrder)
                return (keys.compactMap { state.items[$0.id] }, total)
            }
        }
        let candidates = state.withLock { state in state.keys.values.compactMap { query.matches($0) ? $0.id : nil } }
        let matched = await textScan.collect(candidates) { slice in
            state.withLock { state in
                slice.compactMap { id -> ItemListKey? in
                    guard let key = state.keys[id], query.matches(key), state.items[id].map(query.matchesText) == true else { return nil }
                    return key
                }
            }
        }
        let (keys, total) = page.select(from: matched, by: query.areInIncreasingOrder)
        return (state.withLock { state in keys.compactMap { state.items[$0.id] } }, total)
    }

    /// The earliest moment an item changes by itself: a scheduled item starting or an active one
    /// ending.
    func nextTransition() -> Date? {
        state.withLock { state in
            state.pruneSchedule()
            return state.schedule.min?.at
        }
    }

    /// The earliest transition after `now`: the next one to sleep until while those due at `now`
    /// are being applied.
    func nextTransition(after now: Date) -> Date? {
        state.withLock { state in
            var passed: [Transition] = []
            while let first = state.schedule.min, first.at <= now { passed.append(state.schedule.popMin()!) }
            state.pruneSchedule()
            let next = state.schedule.min?.at
            for transition in passed { state.schedule.insert(transition) }
            return next
        }
    }

    /// Entries in the transition schedule, current or not.
    var scheduleSize: Int { state.withLock { $0.schedule.count } }

    /// Items due to start or end at `now`, earliest first. Asking changes nothing: an item stays
    /// due until its transition has been applied.
    func due(at now: Date) -> [UUID] {
        state.withLock { state in
            var due: [Transition] = []
            var seen: Set<UUID> = []
            while let first = state.schedule.min, first.at <= now {
                _ = state.schedule.popMin()
                // An item whose transition moved away and back has two current entries.
                if state.isCurrent(first) && seen.insert(first.id).inserted { due.append(first) }
            }
            for transition in due { state.schedule.insert(transition) }
            return due.map(\.id)
        }
    }
}

/// An item's next transition, as kept in `ItemCatalog`'s schedule.
struct Transition: Comparable, Sendable {
    let at: Date
    let id: UUID

    static func < (lhs: Transition, rhs: Transition) -> Bool {
        lhs.at != rhs.at ? lhs.at < rhs.at : rhs.id.sortsAfter(lhs.id)
    }
}
