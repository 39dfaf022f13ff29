import Foundation
import GavelCore
import Synchronization
import Testing

@testable import GavelApp

@Suite("Event feed wake-ups")
struct EventFeedTests {
    /// Starts a wait and returns once it is registered (the feed holds it).
    static func waiting(_ feed: EventFeed, after seq: Int64, about subject: UUID?, timeout: Duration = .seconds(30)) async -> Task<Bool, Never> {
        let before = feed.waiting
        let task = Task { await feed.wait(after: seq, about: subject, timeout: timeout) }
        while feed.waiting == before { await Task.yield() }
        return task
    }

    @Test("a stream of one item sleeps through events about others; streams of everything wake for any")
    func subjectWaiters() async {
        let item = Identifier.make(), other = Identifier.make()
        let feed = EventFeed(lastSeq: 10, subjects: [item: [3]])
        let mine = await Self.waiting(feed, after: 10, about: item)
        let everything = await Self.waiting(feed, after: 10, about: nil)
        feed.published([(other, 11)], upTo: 11)
        #expect(await everything.value == true)
        #expect(feed.waiting == 1)
        feed.published([], upTo: 12)
        #expect(feed.waiting == 1)
        feed.published([(other, 13), (item, 14)], upTo: 14)
        #expect(await mine.value == true)
        #expect(feed.waiting == 0)
    }

    @Test("a wait for a subject that already has a later event returns at once; a timeout returns false")
    func readyAndTimeout() async {
        let item = Identifier.make()
        let feed = EventFeed(lastSeq: 20, subjects: [item: [7, 15]])
        #expect(await feed.wait(after: 9, about: item, timeout: .seconds(30)) == true)
        #expect(await feed.wait(after: 15, about: item, timeout: .milliseconds(20)) == false)
        #expect(await feed.wait(after: 19, about: nil, timeout: .seconds(30)) == true)
    }

    @Test("closing the feed wakes every wait, of any subject")
    func close() async {
        let feed = EventFeed(lastSeq: 0)
        let one = await Self.waiting(feed, after: 0, about: Identifier.make())
        let all = await Self.waiting(feed, after: 0, about: nil)
        feed.close()
        #expect(await one.value == true)
        #expect(await all.value == true)
    }
}
