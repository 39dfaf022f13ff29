import Foundation
import GavelCore
import Testing

@Suite("Page selection")
struct PageSelectionTests {
    /// `count` distinct values in a shuffled order, the same for the same seed.
    static func shuffled(_ count: Int, seed: UInt64) -> [Int] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { $0 * 3 }.shuffled(using: &generator)
    }

    static func expected(_ values: [Int], _ page: PageRequest, by order: (Int, Int) -> Bool) -> [Int] {
        let sorted = values.sorted(by: order)
        guard page.offset < sorted.count else { return [] }
        return Array(sorted[page.offset..<min(sorted.count, page.offset + page.size)])
    }

    @Test(
        "every page equals the same page of a full sort, with the full count",
        arguments: [0, 1, 2, 19, 20, 21, 57, 1_000, 5_003])
    func matchesFullSort(count: Int) throws {
        let values = Self.shuffled(count, seed: UInt64(count) + 7)
        for size in [1, 7, 20, 100] {
            // The first pages, one in the middle, the last ones and the first past the end.
            let last = max(1, (count + size - 1) / size)
            for number in Set([1, 2, 3, max(1, last / 2), max(1, last - 1), last, last + 1]).sorted() {
                let page = try PageRequest(page: number, size: size)
                let selected = page.select(from: values, by: <)
                #expect(selected.items == Self.expected(values, page, by: <), "page \(number) of size \(size)")
                #expect(selected.total == count)
            }
        }
    }

    @Test("input already in list order or in reverse order gives the same pages", arguments: [false, true])
    func orderedInput(reversed: Bool) throws {
        let values = Array(0..<2_000).map { reversed ? 2_000 - $0 : $0 }
        for number in [1, 2, 50, 100, 101] {
            let page = try PageRequest(page: number, size: 20)
            #expect(page.select(from: values, by: >).items == Self.expected(values, page, by: >))
        }
    }

    @Test("the order given decides the page, not the elements' own order")
    func followsTheGivenOrder() throws {
        let values = Self.shuffled(500, seed: 3)
        let page = try PageRequest(page: 2, size: 10)
        #expect(page.select(from: values, by: >).items == Array(stride(from: 1_497 - 30, to: 1_497 - 60, by: -3)))
    }

    @Test("a page beyond any array is empty and still counts everything")
    func farPage() throws {
        let values = Self.shuffled(300, seed: 11)
        for page in [try PageRequest(page: Int.max, size: 100), try PageRequest(page: Int.max, size: 1), try PageRequest(page: 4, size: 100)] {
            let selected = page.select(from: values, by: <)
            #expect(selected.items.isEmpty)
            #expect(selected.total == 300)
        }
    }

    @Test("an empty sequence gives an empty first page")
    func empty() throws {
        let selected = try PageRequest().select(from: [Int](), by: <)
        #expect(selected.items.isEmpty)
        #expect(selected.total == 0)
    }

    @Test("slicing an ordered sequence gives its page and its length", arguments: [(1, 5, [0, 1, 2, 3, 4]), (3, 5, [10, 11]), (4, 5, [])])
    func slicesOrderedInput(number: Int, size: Int, expected: [Int]) throws {
        let sliced = try PageRequest(page: number, size: size).slice(of: 0..<12)
        #expect(sliced.items == expected)
        #expect(sliced.total == 12)
    }

    @Test("ids sort by their bytes exactly as by their canonical text")
    func idOrderMatchesText() {
        var generator = SeededGenerator(seed: 42)
        let ids = (0..<500).map { _ in
            UUID(uuid: withUnsafeBytes(of: (generator.next(), generator.next())) { $0.load(as: uuid_t.self) })
        } + [Fixture.id(1), Fixture.id(2), Fixture.id(1)]
        for (lhs, rhs) in zip(ids, ids.dropFirst()) {
            #expect(lhs.sortsAfter(rhs) == (lhs.text > rhs.text), "\(lhs.text) vs \(rhs.text)")
            #expect(rhs.sortsAfter(lhs) == (rhs.text > lhs.text))
        }
        #expect(!Fixture.id(1).sortsAfter(Fixture.id(1)))
    }
}
