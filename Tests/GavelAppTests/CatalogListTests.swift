import Foundation
import GavelCore
import Synchronization
import Testing

@testable import GavelApp

/// The in-memory catalogs page through only what a page needs; every page must still be the
/// same page of a full sort, ties between equal keys broken by id.
@Suite("Catalog lists")
struct CatalogListTests {
    static let noon = Date(timeIntervalSince1970: 1_800_000_000)
    static let pages = [(1, 20), (2, 20), (7, 7), (1, 100), (3, 100), (4, 100), (Int.max, 100)]

    /// Items whose ends, prices and creation times take only a few values, so most neighbours tie.
    static func items(_ count: Int) -> [Item] {
        var generator = SplitMix64(seed: 99)
        let seller = Identifier.make()
        return (0..<count).map { index in
            let ends = noon.addingTimeInterval(Double(generator.next() % 4) * 60)
            let terms = AuctionTerms(
                currency: Currency("EUR")!, startPrice: 100 * Int(1 + generator.next() % 3), bidIncrement: 10, startsAt: noon,
                endsAt: ends, extensionThreshold: 0, extensionDuration: 0, maxExtension: 0)
            let status: ItemStatus = index % 5 == 0 ? .scheduled : .active
            let created = noon.addingTimeInterval(-Double(generator.next() % 3))
            return Item(
                id: Identifier.make(at: created), sellerID: seller, name: "item \(index)", description: "", terms: terms,
                state: .opening(terms, status: status), extensionOverridden: false, version: 1, createdAt: created, updatedAt: created)
        }
    }

    /// Every page of `pages` that `list` gives holds the ids `sorted` has at its place, and the
    /// total counts all of them.
    static func expectPages(of sorted: [UUID], _ label: String, list: (PageRequest) async -> (items: [UUID], total: Int)) async throws {
        for (number, size) in pages {
            let page = try PageRequest(page: number, size: size)
            let listed = await list(page)
            let expected = page.offset < sorted.count ? Array(sorted[page.offset..<min(sorted.count, page.offset + size)]) : []
            #expect(listed.items == expected, "\(label): page \(number) of \(size)")
            #expect(listed.total == sorted.count, "\(label)")
        }
    }

    @Test("each item order and page equals that page of the fully sorted items", arguments: ItemSort.allCases)
    func itemPages(sort: ItemSort) async throws {
        let items = Self.items(250)
        // Slices of 7 put every page's items in several slices of the text scan.
        let catalog = ItemCatalog(items, textScan: SlicedScan(size: 7) { await Task.yield() })
        for (status, text) in [(nil, nil), (ItemStatus.active, nil), (nil, "3"), (ItemStatus.active, "2")] {
            let query = ItemQuery(status: status, text: text, sort: sort)
            let sorted = items.filter { query.matches(ItemListKey($0)) && query.matchesText($0) }.map(ItemListKey.init)
                .sorted(by: query.areInIncreasingOrder).map(\.id)
            #expect(text == nil || (10..<items.count / 2).contains(sorted.count))
            try await Self.expectPages(of: sorted, "status \(String(describing: status)), text \(String(describing: text))") { page in
                let listed = await catalog.list(query, page: page)
                return (listed.items.map(\.id), listed.total)
            }
        }
    }

    @Test("a text search matches name or description, ignoring case and accents, with the other filters")
    func itemText() async throws {
        var items = Self.items(40)
        items[3].name = "Crème brûlée torch"
        items[5].description = "a CREME pot"  // scheduled (index 5): dropped by status=active
        items[7].description = "crème anglaise jug"
        items[9].name = "Creme draft"
        items[9].state.status = .draft  // someone else's draft: never listed
        let catalog = ItemCatalog(items)
        let found = await catalog.list(ItemQuery(text: "creme", viewer: Identifier.make()), page: try PageRequest())
        #expect(Set(found.items.map(\.id)) == Set([3, 5, 7].map { items[$0].id }))
        #expect(found.total == 3)
        let active = await catalog.list(ItemQuery(status: .active, text: "CRÈME"), page: try PageRequest())
        let activeIDs = Set(active.items.map(\.id))
        #expect(activeIDs == [items[3].id, items[7].id])
        #expect(await catalog.list(ItemQuery(text: "creme", viewer: items[9].sellerID), page: try PageRequest()).total == 4)
        #expect(await catalog.list(ItemQuery(text: "no such words"), page: try PageRequest()).total == 0)
    }

    /// Runs an action at each pause of a text scan: there a test changes the catalog, as a
    /// request served between two slices would.
    final class Pauses: Sendable {
        private let state = Mutex<(count: Int, action: (@Sendable (Int) -> Void)?)>((0, nil))

        func scan(size: Int) -> SlicedScan {
            SlicedScan(size: size) { [self] in
                let (count, action) = state.withLock { state in
                    state.count += 1
                    return (state.count, state.action)
                }
                action?(count)
            }
        }

        func onPause(_ action: @escaping @Sendable (Int) -> Void) { state.withLock { $0.action = action } }
        var count: Int { state.withLock { $0.count } }
    }

    @Test("a text search lets the lock go between slices, and lists what is there at its end")
    func itemTextBetweenSlices() async throws {
        let all = Self.items(31).map { item in
            var item = item
            item.name = "lamp \(item.name)"
            item.state.status = .active
            return item
        }
        let items = Array(all.prefix(30))
        let pauses = Pauses()
        let catalog = ItemCatalog(items, textScan: pauses.scan(size: 10))
        let renamed = items.map { item in
            var item = item
            item.name = "chair"
            return item
        }
        // After the first slice every item loses the word, and a new one that has it appears.
        let added = all[30]
        pauses.onPause { count in
            if count == 1 { catalog.apply(changed: renamed + [added], removed: [], bids: []) }
        }
        let query = ItemQuery(text: "LAMP")
        let listed = await catalog.list(query, page: try PageRequest(size: 100))
        #expect(pauses.count == 2)
        // The first slice matched before the change and stays; the later ones no longer match.
        #expect(listed.total == 10)
        #expect(listed.items.count == 10)
        #expect(listed.items.allSatisfy { $0.name == "chair" })
        #expect(!listed.items.contains { $0.id == added.id })

        // Items removed after their slice matched are counted, as they were then, but not listed.
        catalog.apply(changed: [], removed: [added.id], bids: [])
        pauses.onPause { count in
            if count == 3 { catalog.apply(changed: [], removed: items.map(\.id), bids: []) }
        }
        let word = await catalog.list(ItemQuery(text: "chair"), page: try PageRequest(size: 100))
        #expect(pauses.count == 4)
        #expect(word.total == 10)
        #expect(word.items.isEmpty)
        #expect(await catalog.list(ItemQuery(text: "chair"), page: try PageRequest(size: 100)).total == 0)
    }

    @Test("a product text search lets the lock go between slices, and lists what is there at its end")
    func productTextBetweenSlices() async throws {
        let products = (0..<25).map { Self.product($0, createdAt: Self.noon.addingTimeInterval(Double($0))) }
        let pauses = Pauses()
        let catalog = ProductCatalog(products, textScan: pauses.scan(size: 10))
        pauses.onPause { count in
            guard count == 1 else { return }
            // Newest first: the first slice is products 24...15. Rename one of them and one of
            // a later slice, remove one of each, and add a matching product.
            for index in [20, 5] {
                var product = products[index]
                product.name = "stool"
                catalog.upsert(product)
            }
            for index in [22, 3] { catalog.remove(products[index].id) }
            catalog.upsert(Self.product(7, createdAt: Self.noon.addingTimeInterval(100)))
        }
        let listed = await catalog.list(try ProductQuery(text: "Product"), page: try PageRequest(size: 100))
        #expect(pauses.count == 2)
        // The first slice's ten matched before the change: all are counted, and all but the
        // removed one listed, product 20 as it is now. Of the later slices' fifteen, the renamed
        // and the removed one are neither.
        let expected = products.indices.reversed().filter { ![22, 5, 3].contains($0) }.map { products[$0].id }
        #expect(listed.items.map(\.id) == expected)
        #expect(listed.total == 23)
        #expect(listed.items.first { $0.id == products[20].id }?.name == "stool")
    }

    @Test("items that tie on the sort key are ordered by id text, the larger first")
    func itemTies() {
        let query = ItemQuery(sort: .endingSoon)
        let tied = Self.items(60).filter { $0.state.endsAt == Self.noon }
        let listed = tied.map(ItemListKey.init).sorted(by: query.areInIncreasingOrder).map(\.id.text)
        #expect(tied.count > 5)
        #expect(listed == listed.sorted(by: >))
    }

    static func product(_ index: Int, createdAt: Date) -> Product {
        Product(
            id: Identifier.make(at: createdAt), sellerID: Identifier.make(), name: "product \(index % 7)", description: "",
            price: 100 * (1 + index % 4), currency: Currency("EUR")!, stock: 1, version: 1, createdAt: createdAt, updatedAt: createdAt)
    }

    @Test("products added in any order, back-dated ones included, list newest first")
    func productsAddedOutOfOrder() async throws {
        var generator = SplitMix64(seed: 5)
        let products = (0..<200).map { Self.product($0, createdAt: Self.noon.addingTimeInterval(Double(generator.next() % 50))) }
        let catalog = ProductCatalog(Array(products.prefix(80)), textScan: SlicedScan(size: 7) { await Task.yield() })
        for product in products.dropFirst(80) { catalog.upsert(product) }
        let removed = products[17]
        catalog.remove(removed.id)
        let remaining = products.filter { $0.id != removed.id }
        for sort in ProductSort.allCases {
            for (minPrice, text) in [(nil, nil), (300, nil), (nil, "3"), (200, "PRODUCT")] {
                let query = try ProductQuery(text: text, minPrice: minPrice, sort: sort)
                let sorted = remaining.filter(query.matches).sorted(by: query.areInIncreasingOrder).map(\.id)
                try await Self.expectPages(of: sorted, "\(sort), min price \(String(describing: minPrice)), text \(String(describing: text))") { page in
                    let listed = await catalog.list(query, page: page)
                    return (listed.items.map(\.id), listed.total)
                }
            }
        }
    }
}
