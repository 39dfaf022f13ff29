import Foundation
import GavelCore
import Testing

@Suite("Product query order")
struct ProductSortTests {
    static let earlier = Fixture.noon.addingTimeInterval(-60)
    static let later = Fixture.noon.addingTimeInterval(60)

    // Three products whose creation time, price and name each put them in a different order.
    static let banana = Fixture.product(id: Fixture.id(1), name: "Banana", price: 300, createdAt: Fixture.noon)
    static let apple = Fixture.product(id: Fixture.id(2), name: "apple", price: 100, createdAt: later)
    static let cherry = Fixture.product(id: Fixture.id(3), name: "Cherry", price: 200, createdAt: earlier)

    func sorted(_ products: [Product], by sort: ProductSort) throws -> [String] {
        let query = try ProductQuery(sort: sort)
        return products.sorted(by: query.areInIncreasingOrder).map(\.name)
    }

    @Test(
        "each sort order puts products in its own order",
        arguments: [
            (ProductSort.newest, ["apple", "Banana", "Cherry"]),
            (.oldest, ["Cherry", "Banana", "apple"]),
            (.priceAsc, ["apple", "Cherry", "Banana"]),
            (.priceDesc, ["Banana", "Cherry", "apple"]),
            (.name, ["apple", "Banana", "Cherry"]),
        ])
    func ordersBySort(sort: ProductSort, names: [String]) throws {
        #expect(try sorted([Self.banana, Self.apple, Self.cherry], by: sort) == names)
    }

    @Test("the default order is newest first")
    func defaultsToNewest() throws {
        #expect(try ProductQuery().sort == .newest)
    }

    @Test(
        "sort orders are named as the query parameter spells them",
        arguments: [
            ("newest", ProductSort.newest), ("oldest", .oldest), ("price_asc", .priceAsc),
            ("price_desc", .priceDesc), ("name", .name),
        ])
    func rawValues(text: String, sort: ProductSort) {
        #expect(ProductSort(rawValue: text) == sort)
    }

    // MARK: tie-breaks

    @Test(
        "products created at the same moment are ordered by id, highest first when newest first",
        arguments: [(ProductSort.newest, ["second", "first"]), (.oldest, ["first", "second"])])
    func sameTimeTieBreak(sort: ProductSort, names: [String]) throws {
        let first = Fixture.product(id: Fixture.id(1), name: "first")
        let second = Fixture.product(id: Fixture.id(2), name: "second")
        #expect(try sorted([first, second], by: sort) == names)
        #expect(try sorted([second, first], by: sort) == names)
    }

    @Test("products with equal prices are ordered newest first", arguments: [ProductSort.priceAsc, .priceDesc])
    func samePriceTieBreak(sort: ProductSort) throws {
        let old = Fixture.product(id: Fixture.id(1), name: "old", price: 100, createdAt: Self.earlier)
        let new = Fixture.product(id: Fixture.id(2), name: "new", price: 100, createdAt: Self.later)
        #expect(try sorted([old, new], by: sort) == ["new", "old"])
    }

    @Test("names that differ only in case or blanks are ordered newest first")
    func sameNameTieBreak() throws {
        let old = Fixture.product(id: Fixture.id(1), name: "Lamp", createdAt: Self.earlier)
        let new = Fixture.product(id: Fixture.id(2), name: " lamp", createdAt: Self.later)
        #expect(try sorted([old, new], by: .name) == [" lamp", "Lamp"])
    }

    // MARK: strict total order

    /// Twelve products that tie in every pairing of creation time, price and name key.
    static let ties: [Product] = {
        var products: [Product] = []
        for createdAt in [earlier, later] {
            for price in [100, 200] {
                for name in ["Lamp", "lamp ", "Chair"] {
                    products.append(
                        Fixture.product(id: Fixture.id(products.count + 1), name: name, price: price, createdAt: createdAt))
                }
            }
        }
        return products
    }()

    @Test("no product sorts before itself", arguments: ProductSort.allCases)
    func irreflexive(sort: ProductSort) throws {
        let query = try ProductQuery(sort: sort)
        for product in Self.ties {
            #expect(!query.areInIncreasingOrder(product, product))
        }
    }

    @Test("of two different products exactly one sorts first", arguments: ProductSort.allCases)
    func totalAndAsymmetric(sort: ProductSort) throws {
        let query = try ProductQuery(sort: sort)
        for lhs in Self.ties {
            for rhs in Self.ties where lhs.id != rhs.id {
                #expect(query.areInIncreasingOrder(lhs, rhs) != query.areInIncreasingOrder(rhs, lhs))
            }
        }
    }

    @Test("the order is transitive", arguments: ProductSort.allCases)
    func transitive(sort: ProductSort) throws {
        let query = try ProductQuery(sort: sort)
        for a in Self.ties {
            for b in Self.ties where query.areInIncreasingOrder(a, b) {
                for c in Self.ties where query.areInIncreasingOrder(b, c) {
                    #expect(query.areInIncreasingOrder(a, c))
                }
            }
        }
    }

    @Test("the same products sort the same way whatever order they arrive in", arguments: ProductSort.allCases)
    func independentOfInputOrder(sort: ProductSort) throws {
        let query = try ProductQuery(sort: sort)
        let reference = Self.ties.sorted(by: query.areInIncreasingOrder).map(\.id)
        let interleaved = stride(from: 0, to: 12, by: 2).map { Self.ties[$0] } + stride(from: 1, to: 12, by: 2).map { Self.ties[$0] }
        #expect(Self.ties.reversed().sorted(by: query.areInIncreasingOrder).map(\.id) == reference)
        #expect(interleaved.sorted(by: query.areInIncreasingOrder).map(\.id) == reference)
    }
}
