import Foundation
import GavelCore
import Synchronization

/// How an item list is ordered.
enum ItemSort: String, CaseIterable, Sendable {
    case endingSoon = "ending_soon", newest, price
}

/// Filters of an item list. Drafts are visible to their seller only.
struct ItemQuery: Sendable {
    var status: ItemStatus?
    var sellerID: UUID?
    var text: String?
    var sort: ItemSort = .endingSoon
    var viewer: UUID?

    func matches(_ item: Item) -> Bool {
        if item.state.status == .draft && item.sellerID != viewer { return false }
        if let status, item.state.status != status { return false }
        if let sellerID, item.sellerID != sellerID { return false }
        if let text {
            return item.name.range(of: text, options: [.caseInsensitive, .diacriticInsensitive]) != nil
                || item.description.range(of: text, options: [.caseInsensitive, .diacriticInsensitive]) != nil
        }
        return true
    }

    /// A strict total order (ties broken by id) so pages never overlap.
    func areInIncreasingOrder(_ lhs: Item, _ rhs: Item) -> Bool {
        switch sort {
        case .endingSoon where lhs.state.endsAt != rhs.state.endsAt: return lhs.state.endsAt < rhs.state.endsAt
        case .newest where lhs.createdAt != rhs.createdAt: return lhs.createdAt > rhs.createdAt
        case .price where lhs.state.currentPrice != rhs.state.currentPrice: return lhs.state.currentPrice < rhs.state.currentPrice
        default: return lhs.id.text > rhs.id.text
        }
    }
}

/// Every item in memory, with the sequence numbers of its bids, updated by the writer right
/// after each commit (see `Store.write`), so reads are exact without touching SQLite and a bid
/// history is a handful of lookups by primary key. The bid engine reads an item's state from
/// here at the start of each batch; it is the only writer of items that exist.
final class ItemCatalog: Sendable {
    private struct State {
        var items: [UUID: Item]
        /// Each item's bids, oldest first.
        var bids: [UUID: [Int64]]
    }

    private let state: Mutex<State>

    init(_ items: [Item], bids: [UUID: [Int64]] = [:]) {
        state = Mutex(State(items: Dictionary(uniqueKeysWithValues: items.map { ($0.id, $0) }), bids: bids))
    }

    func find(_ id: UUID) -> Item? { state.withLock { $0.items[id] } }

    func upsert(_ item: Item) { state.withLock { $0.items[item.id] = item } }

    /// What a committed batch did: items changed or removed, and bids appended in commit order.
    func apply(changed: some Sequence<Item>, removed: some Sequence<UUID>, bids: [(item: UUID, seq: Int64)]) {
        state.withLock { state in
            for item in changed { state.items[item.id] = item }
            for id in removed {
                state.items[id] = nil
                state.bids[id] = nil
            }
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

    func list(_ query: ItemQuery, page: PageRequest) -> (items: [Item], total: Int) {
        let matching = state.withLock { $0.items.values.filter(query.matches) }.sorted(by: query.areInIncreasingOrder)
        guard page.offset < matching.count else { return ([], matching.count) }
        return (Array(matching[page.offset..<min(matching.count, page.offset + page.size)]), matching.count)
    }

    /// The earliest moment an item changes by itself: a scheduled item starting or an active one
    /// ending.
    func nextTransition() -> Date? {
        state.withLock { state in
            state.items.values.compactMap { item -> Date? in
                switch item.state.status {
                case .scheduled: item.terms.startsAt
                case .active: item.state.endsAt
                default: nil
                }
            }.min()
        }
    }

    /// Items due to start or end at `now`.
    func due(at now: Date) -> [UUID] {
        state.withLock { state in
            state.items.values.filter { item in
                (item.state.status == .scheduled && item.terms.startsAt <= now)
                    || (item.state.status == .active && item.state.endsAt <= now)
            }.map(\.id)
        }
    }
}
