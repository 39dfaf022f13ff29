import Foundation
import GavelCore
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
    static func expectPages(of sorted: [UUID], _ label: String, list: (PageRequest) -> (items: [UUID], total: Int)) throws {
        for (number, size) in pages {
            let page = try PageRequest(page: number, size: size)
            let listed = list(page)
            let expected = page.offset < sorted.count ? Array(sorted[page.offset..<min(sorted.count, page.offset + size)]) : []
            #expect(listed.items == expected, "\(label): page \(number) of \(size)")
            #expect(listed.total == sorted.count, "\(label)")
        }
    }

    @Test("each item order and page equals that page of the fully sorted items", arguments: ItemSort.allCases)
    func itemPages(sort: ItemSort) throws {
        let items = Self.items(250)
        let catalog = ItemCatalog(items)
        for status in [nil, ItemStatus.active] {
            let query = ItemQuery(status: status, sort: sort)
            let sorted = items.map(ItemListKey.init).filter(query.matches).sorted(by: query.areInIncreasingOrder).map(\.id)
            try Self.expectPages(of: sorted, "status \(String(describing: status))") { page in
                let listed = catalog.list(query, page: page)
                return (listed.items.map(\.id), listed.total)
            }
        }
    }

    @Test("a text search matches name or description, ignoring case and accents, with the other filters")
    func itemText() throws {
        var items = Self.items(40)
        items[3].name = "Crème brûlée torch"
        items[5].description = "a CREME pot"  // scheduled (index 5): dropped by status=active
        items[7].description = "crème anglaise jug"
        items[9].name = "Creme draft"
        items[9].state.status = .draft  // someone else's draft: never listed
        let catalog = ItemCatalog(items)
        let found = catalog.list(ItemQuery(text: "creme", viewer: Identifier.make()), page: try PageRequest())
        #expect(Set(found.items.map(\.id)) == Set([3, 5, 7].map { items[$0].id }))
        #expect(found.total == 3)
        let active = catalog.list(ItemQuery(status: .active, text: "CRÈME"), page: try PageRequest())
        let activeIDs = Set(active.items.map(\.id))
        #expect(activeIDs == [items[3].id, items[7].id])
        #expect(catalog.list(ItemQuery(text: "creme", viewer: items[9].sellerID), page: try PageRequest()).total == 4)
        #expect(catalog.list(ItemQuery(text: "no such words"), page: try PageRequest()).total == 0)
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
    func productsAddedOutOfOrder() throws {
        var generator = SplitMix64(seed: 5)
        let products = (0..<200).map { Self.product($0, createdAt: Self.noon.addingTimeInterval(Double(generator.next() % 50))) }
        let catalog = ProductCatalog(Array(products.prefix(80)))
        for product in products.dropFirst(80) { catalog.upsert(product) }
        let removed = products[17]
        catalog.remove(removed.id)
        let remaining = products.filter { $0.id != removed.id }
        for sort in ProductSort.allCases {
            for minPrice in [nil, 300] {
                let query = try ProductQuery(minPrice: minPrice, sort: sort)
                let sorted = remaining.filter(query.matches).sorted(by: query.areInIncreasingOrder).map(\.id)
                try Self.expectPages(of: sorted, "\(sort), min price \(String(describing: minPrice))") { page in
                    let listed = catalog.list(query, page: page)
                    return (listed.items.map(\.id), listed.total)
                }
            }
        }
    }
}
