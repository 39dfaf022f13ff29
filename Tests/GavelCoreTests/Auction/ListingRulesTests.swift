import Foundation
import GavelCore
import Testing

@Suite("Listing times")
struct ListingRulesTests {
    typealias F = AuctionFixture

    static let defaults = AuctionDefaults(
        currency: Fixture.euro, extensionThreshold: 300, extensionDuration: 120, maxExtension: 600, maxDuration: 7_200)

    static func draft(startsAt: Date?, endsAt: Date) -> ItemDraft {
        ItemDraft(name: "Lot", startPrice: 10, startsAt: startsAt, endsAt: endsAt)
    }

    /// The `ends_at` errors of validating, or the start the listing got.
    static func outcome(_ draft: ItemDraft, now: Date, started: (startsAt: Date, endsAt: Date)? = nil) -> Result<Date, ValidationFailure> {
        Result { () throws(ValidationFailure) in
            try ItemRules.validate(draft, now: now, defaults: defaults, started: started).terms.startsAt
        }
    }

    // `now` is noon plus the first value; the draft starts and ends at noon plus the others.
    @Test(
        "a new listing starts now or later and runs at least a second, at most maxDuration",
        arguments: [
            (0.0, nil, 3_600.0, 0.0),  // no start: now
            (100, -50, 3_600, 100),  // a past start means now
            (0, 60, 3_600, 60),  // a future start is kept
            (0, nil, 1, 0),  // exactly a second
            (0, nil, 0.999, nil),  // less
            (100, -50, 100.5, nil),  // measured from now, not from the past start
            (0, nil, 7_200, 0),  // exactly maxDuration
            (0, 60, 7_260.001, nil),  // just over, measured from the future start
        ] as [(TimeInterval, TimeInterval?, TimeInterval, TimeInterval?)])
    func newListing(now: TimeInterval, start: TimeInterval?, end: TimeInterval, startsAfterNoon: TimeInterval?) {
        let noon = Fixture.noon
        let result = Self.outcome(
            Self.draft(startsAt: start.map(noon.addingTimeInterval), endsAt: noon.addingTimeInterval(end)), now: noon.addingTimeInterval(now))
        switch (result, startsAfterNoon) {
        case (.success(let startsAt), let expected?): #expect(startsAt == noon.addingTimeInterval(expected))
        case (.failure(let failure), nil): #expect(failure.errors.map(\.field) == ["ends_at"])
        default: Issue.record("got \(result), expected a start at \(String(describing: startsAfterNoon))")
        }
    }

    // The auction opened at noon and ends at 13:00. `now` and the draft's end are seconds after
    // noon; nil means the end is left where it is.
    @Test(
        "an edit of a started auction keeps its start and its end, however near; a new end is a second ahead",
        arguments: [
            (1_800.0, nil, true),  // half-way, end unchanged
            (3_599.5, nil, true),  // half a second before the end, end unchanged
            (3_599.5, 3_600.4, false),  // a new end less than a second ahead
            (3_599.5, 3_600.5, true),  // a new end exactly a second ahead
            (1_800, 1_000, false),  // an end in the past
            (1_800, 7_200, true),  // maxDuration counted from the original start
            (7_000, 7_200.001, false),  // over it, although less than maxDuration from now
        ] as [(TimeInterval, TimeInterval?, Bool)])
    func started(now: TimeInterval, end: TimeInterval?, accepted: Bool) {
        let newEnd = end.map(F.opens.addingTimeInterval) ?? F.closes
        let result = Self.outcome(
            Self.draft(startsAt: F.opens, endsAt: newEnd), now: F.opens.addingTimeInterval(now), started: (F.opens, F.closes))
        switch result {
        case .success(let startsAt):
            #expect(accepted)
            #expect(startsAt == F.opens)
        case .failure(let failure):
            #expect(!accepted)
            #expect(failure.errors.map(\.field) == ["ends_at"])
        }
    }
}
