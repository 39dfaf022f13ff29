import Foundation
import GavelCore
import Synchronization

/// All products in memory, kept in step with the database by the writer (see `Store.write`):
/// exactly coherent, not a cache with a lifetime. Hot reads never touch SQLite.
final class ProductCatalog: Sendable {
    private struct State {
        var byID: [UUID: Product] = [:]
        /// Ids in the default order (newest first); other orders are sorted on demand.
        var newestFirst: [UUID] = []
    }

    private let state = Mutex(State())

    init(_ products: [Product]) {
        let query = try! ProductQuery()  // the unfiltered default query is always valid
        let sorted = products.sorted(by: query.areInIncreasingOrder)
        state.withLock { state in
            state.byID = Dictionary(uniqueKeysWithValues: sorted.map { ($0.id, $0) })
            state.newestFirst = sorted.map(\.id)
        }
    }

    func find(_ id: UUID) -> Product? {
        state.withLock { $0.byID[id] }
    }

    func list(_ query: ProductQuery, page: PageRequest) -> (items: [Product], total: Int) {
        if query.isUnfiltered && query.sort == .newest {
            return state.withLock { state in
                let total = state.newestFirst.count
                guard page.offset < total else { return ([], total) }
                let ids = state.newestFirst[page.offset..<min(total, page.offset + page.size)]
                return (ids.compactMap { state.byID[$0] }, total)
            }
        }
        let candidates = state.withLock { state in
            query.sort == .newest
                ? state.newestFirst.compactMap { state.byID[$0] }.filter(query.matches)
                : state.byID.values.filter(query.matches)
        }
        let ordered = query.sort == .newest ? candidates : candidates.sorted(by: query.areInIncreasingOrder)
        guard page.offset < ordered.count else { return ([], ordered.count) }
        return (Array(ordered[page.offset..<min(ordered.count, page.offset + page.size)]), ordered.count)
    }

    func upsert(_ product: Product) {
        state.withLock { state in
            if state.byID.updateValue(product, forKey: product.id) == nil {
                // Ids are time-ordered and creation times only grow, so a new product is almost
                // always the newest; find its place from the front.
                let query = try! ProductQuery()
                let index = state.newestFirst.firstIndex { id in
                    state.byID[id].map { !query.areInIncreasingOrder($0, product) } ?? false
                } ?? state.newestFirst.endIndex
                state.newestFirst.insert(product.id, at: index)
            }
        }
    }

    func remove(_ id: UUID) {
        state.withLock { state in
            if state.byID.removeValue(forKey: id) != nil {
                state.newestFirst.removeAll { $0 == id }
            }
        }
    }
}
