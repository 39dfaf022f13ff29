import Foundation
import GavelCore

/// How an item list is ordered.
enum ItemSort: String, CaseIterable, Sendable {
    case endingSoon = "ending_soon", newest, price
}

/// What lists and the auction closer look at of an item, apart from its text: no strings, so a
/// pass over every item in memory reads these in place and retains nothing.
struct ItemListKey: Sendable, Equatable {
    let id: UUID
    let sellerID: UUID
    let status: ItemStatus
    let startsAt: Date
    let endsAt: Date
    let createdAt: Date
    let currentPrice: Int

    init(_ item: Item) {
        id = item.id
        sellerID = item.sellerID
        status = item.state.status
        startsAt = item.terms.startsAt
        endsAt = item.state.endsAt
        createdAt = item.createdAt
        currentPrice = item.state.currentPrice
    }

    /// When the item changes by itself: a scheduled item starts, an active one ends.
    var nextTransition: Date? {
        switch status {
        case .scheduled: startsAt
        case .active: endsAt
        default: nil
        }
    }

    /// `nextTransition` as an entry of the catalog's schedule.
    var transition: Transition? { nextTransition.map { Transition(at: $0, id: id) } }
}

/// Filters of an item list. Drafts are visible to their seller only.
struct ItemQuery: Sendable {
    var status: ItemStatus?
    var sellerID: UUID?
    /// The text filter, prepared for matching; see `text`.
    private(set) var search: TextSearch?
    var sort: ItemSort
    var viewer: UUID?

    init(status: ItemStatus? = nil, sellerID: UUID? = nil, text: String? = nil, sort: ItemSort = .endingSoon, viewer: UUID? = nil) {
        self.status = status
        self.sellerID = sellerID
        self.sort = sort
        self.viewer = viewer
        self.text = text
    }

    /// Every filter but the text.
    func matches(_ key: ItemListKey) -> Bool {
        if key.status == .draft && key.sellerID != viewer { return false }
        if let status, key.status != status { return false }
        if let sellerID, key.sellerID != sellerID { return false }
        return true
    }

    var text: String? {
        get { search?.text }
        set { search = newValue.map(TextSearch.init) }
    }

    func matchesText(_ item: Item) -> Bool {
        guard let search else { return true }
        return search.matches(item.name) || search.matches(item.description)
    }

    /// A strict total order (ties broken by id) so pages never overlap.
    func areInIncreasingOrder(_ lhs: ItemListKey, _ rhs: ItemListKey) -> Bool {
        switch sort {
        case .endingSoon where lhs.endsAt != rhs.endsAt: return lhs.endsAt < rhs.endsAt
        case .newest where lhs.createdAt != rhs.createdAt: return lhs.createdAt > rhs.createdAt
        case .price where lhs.currentPrice != rhs.currentPrice: return lhs.currentPrice < rhs.currentPrice
        default: return lhs.id.sortsAfter(rhs.id)
        }
    }
}
