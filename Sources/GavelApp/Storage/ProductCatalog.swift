import Foundation
import GavelCore
import Synchronization

/// All products in memory, kept in step with the database by the writer (see `Store.write`):
/// exactly coherent, not a cache with a lifetime. Hot reads never touch SQLite.
final class ProductCatalog: Sendable {
    private struct State {
        var byID: [UUID: Product] = [:]
        /// Ids in the default order read backwards (oldest first), so a new product, almost
        /// always the newest, is appended rather than shifting every id.
        var oldestFirst: [UUID] = []

        var newestFirst: some Sequence<Product> { oldestFirst.reversed().lazy.compactMap { byID[$0] } }
    }

    private let state = Mutex(State())
    /// How a list with a text filter walks the products (see `list`).
    let textScan: SlicedScan

    init(_ products: [Product], textScan: SlicedScan = .standard) {
        self.textScan = textScan
        let query = try! ProductQuery()  // the unfiltered default query is always valid
        let sorted = products.sorted(by: query.areInIncreasingOrder)
        state.withLock { state in
            state.byID = Dictionary(uniqueKeysWithValues: sorted.map { ($0.id, $0) })
            state.oldestFirst = sorted.reversed().map(\.id)
        }
    }

    func find(_ id: UUID) -> Product? {
        state.withLock { $0.byID[id] }
    }

    /// One pass under the lock that keeps only what the page needs (see `PageRequest.select`).
    ///
    /// A text filter is checked a slice of products at a time, letting the lock go in between
    /// (`textScan`), as `ItemCatalog.list` does: each product is filtered, counted and ordered
    /// as it was when its slice was checked, and shown as it is at the end.
    func list(_ query: ProductQuery, page: PageRequest) async -> (items: [Product], total: Int) {
        guard query.text != nil else {
            return state.withLock { state in
                if query.sort == .newest && query.isUnfiltered {
                    // The page by position, counted from the newest end.
                    let total = state.oldestFirst.count
                    guard page.offset < total else { return ([], total) }
                    let end = total - page.offset
                    return (state.oldestFirst[max(0, end - page.size)..<end].reversed().compactMap { state.byID[$0] }, total)
                }
                if query.sort == .newest {
                    return page.slice(of: state.newestFirst.lazy.filter(query.matches))
                }
                let byID = state.byID
                let (ranks, total) = page.select(from: byID.values.lazy.filter(query.matches).map(query.rank), by: query.areInIncreasingOrder)
                return (ranks.compactMap { byID[$0.id] }, total)
            }
        }
        let candidates = state.withLock { state in Array(state.oldestFirst.reversed()) }
        let matched = await textScan.collect(candidates) { slice in
            state.withLock { state in
                slice.compactMap { id in state.byID[id].flatMap { query.matches($0) ? query.rank($0) : nil } }
            }
        }
        // Newest first already: `matched` keeps the order of `candidates`.
        let (ranks, total) = query.sort == .newest ? page.slice(of: matched) : page.select(from: matched, by: query.areInIncreasingOrder)
        return (state.withLock { state in ranks.compactMap { state.byID[$0.id] } }, total)
    }

    func upsert(_ product: Product) {
        state.withLock { state in
            if state.byID.updateValue(product, forKey: product.id) == nil {
                // After the newest product older than it: from the back, usually the last one.
                let query = try! ProductQuery()
                let index = state.oldestFirst.lastIndex { id in
                    state.byID[id].map { query.areInIncreasingOrder(product, $0) } ?? false
                }.map { $0 + 1 } ?? state.oldestFirst.startIndex
                state.oldestFirst.insert(product.id, at: index)
            }
        }
    }

    func remove(_ id: UUID) {
        state.withLock { state in
            if state.byID.removeValue(forKey: id) != nil {
                state.oldestFirst.removeAll { $0 == id }
            }
        }
    }
}
