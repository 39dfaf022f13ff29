import GavelCore
import Testing

@Suite("Page request")
struct PageRequestTests {
    @Test("the default is the first page of twenty")
    func defaults() throws {
        let page = try PageRequest()
        #expect(page.page == 1)
        #expect(page.size == 20)
        #expect(page.offset == 0)
    }

    @Test("a page number below 1 is rejected under page", arguments: [0, -1, Int.min])
    func rejectsPage(page: Int) throws {
        let failure = try #require(throws: ValidationFailure.self) { try PageRequest(page: page) }
        #expect(failure.fields == ["page"])
    }

    @Test("a page size outside 1 to 100 is rejected under page_size", arguments: [0, -1, 101, Int.max])
    func rejectsSize(size: Int) throws {
        let failure = try #require(throws: ValidationFailure.self) { try PageRequest(size: size) }
        #expect(failure.fields == ["page_size"])
    }

    @Test("page sizes of 1 and 100 are accepted", arguments: [1, 100])
    func acceptsSizeBounds(size: Int) throws {
        #expect(try PageRequest(size: size).size == size)
    }

    @Test("a bad page and a bad page size are reported together")
    func reportsBoth() throws {
        let failure = try #require(throws: ValidationFailure.self) { try PageRequest(page: 0, size: 0) }
        #expect(failure.fields == ["page", "page_size"])
    }

    @Test(
        "the offset skips every earlier page",
        arguments: [(1, 20, 0), (2, 20, 20), (3, 100, 200), (5, 1, 4), (10, 7, 63)])
    func offset(page: Int, size: Int, offset: Int) throws {
        #expect(try PageRequest(page: page, size: size).offset == offset)
    }

    @Test("a page too far out to count saturates its offset instead of overflowing")
    func hugePageSaturates() throws {
        #expect(try PageRequest(page: Int.max, size: 100).offset == Int.max)
        #expect(try PageRequest(page: Int.max / 50, size: 100).offset == Int.max)
    }

    @Test("the largest page of size 1 has an exact offset")
    func largestPageOfOne() throws {
        #expect(try PageRequest(page: Int.max, size: 1).offset == Int.max - 1)
    }
}
