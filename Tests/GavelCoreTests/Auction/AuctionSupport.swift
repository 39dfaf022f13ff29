import Foundation
import GavelCore
import Testing

/// One auction world for the rule tests: EUR, start 10, increment 5, open for an hour from noon,
/// soft close within 5 minutes of the end by 2 minutes, at most 10 minutes in total.
enum AuctionFixture {
    static let seller = Fixture.sellerID
    static let alice = Fixture.id(101)
    static let bob = Fixture.id(102)
    static let carol = Fixture.id(103)
    static let dan = Fixture.id(104)

    static let opens = Fixture.noon
    static let closes = Fixture.noon.addingTimeInterval(3_600)
    /// Well inside the auction and far from the end, so nothing extends.
    static let midway = Fixture.noon.addingTimeInterval(60)

    static func terms(
        start: Int = 10, increment: Int = 5, reserve: Int? = nil, buyout: Int? = nil,
        threshold: TimeInterval = 300, duration: TimeInterval = 120, maxExtension: TimeInterval = 600
    ) -> AuctionTerms {
        AuctionTerms(
            currency: Fixture.euro, startPrice: start, bidIncrement: increment, reservePrice: reserve,
            buyoutPrice: buyout, startsAt: opens, endsAt: closes, extensionThreshold: threshold,
            extensionDuration: duration, maxExtension: maxExtension)
    }

    static func bid(
        _ bidder: UUID, _ amount: Int, max: Int? = nil, currency: Currency? = nil, at: Date = midway
    ) -> BidRequest {
        BidRequest(bidderID: bidder, amount: amount, maxAmount: max, currency: currency, at: at)
    }

    /// A date `seconds` before the scheduled end.
    static func beforeEnd(_ seconds: TimeInterval) -> Date { closes.addingTimeInterval(-seconds) }
}

/// An auction being bid on: keeps the state of the last accepted bid, as the engine does.
struct AuctionRun {
    let terms: AuctionTerms
    private(set) var state: AuctionState
    private(set) var accepted: [BidRequest] = []

    init(_ terms: AuctionTerms = AuctionFixture.terms(), status: ItemStatus = .active) {
        self.terms = terms
        self.state = .opening(terms, status: status)
    }

    @discardableResult
    mutating func place(_ bid: BidRequest) -> Result<BidOutcome, BidRejection> {
        let result = AuctionRules.place(bid, sellerID: AuctionFixture.seller, terms: terms, state: state)
        if case .success(let outcome) = result {
            state = outcome.state
            accepted.append(bid)
        }
        return result
    }

    /// Places bids that must all be accepted, failing the test at the first that is not.
    mutating func placeAll(_ bids: [BidRequest], sourceLocation: SourceLocation = #_sourceLocation) throws {
        for bid in bids {
            let result = place(bid)
            try #require(result.rejection == nil, "\(bid) was rejected", sourceLocation: sourceLocation)
        }
    }

    var closed: AuctionState { AuctionRules.close(terms, state) }
}

extension Result where Success == BidOutcome, Failure == BidRejection {
    var rejection: BidRejection? {
        if case .failure(let rejection) = self { rejection } else { nil }
    }

    var outcome: BidOutcome? { try? get() }
}

/// One bid of a scripted sequence and what must follow from it.
struct Step: Sendable {
    enum Expected: Sendable, Equatable {
        case leads(UUID, price: Int)
        case rejected(BidRejection)
    }

    let bid: BidRequest
    let expected: Expected

    static func bid(_ bidder: UUID, _ amount: Int, max: Int? = nil, leads leader: UUID, at price: Int) -> Step {
        Step(bid: AuctionFixture.bid(bidder, amount, max: max), expected: .leads(leader, price: price))
    }

    static func bid(_ bidder: UUID, _ amount: Int, max: Int? = nil, rejected rejection: BidRejection) -> Step {
        Step(bid: AuctionFixture.bid(bidder, amount, max: max), expected: .rejected(rejection))
    }
}

/// A named sequence of steps, run from the opening state of `terms`.
struct Scenario: Sendable, CustomTestStringConvertible {
    let name: String
    var terms = AuctionFixture.terms()
    let steps: [Step]

    var testDescription: String { name }

    init(_ name: String, terms: AuctionTerms = AuctionFixture.terms(), _ steps: [Step]) {
        self.name = name
        self.terms = terms
        self.steps = steps
    }

    /// Runs every step and checks each outcome against what the step expects.
    func verify() {
        var run = AuctionRun(terms)
        for (index, step) in steps.enumerated() {
            let before = run.state
            switch run.place(step.bid) {
            case .success(let outcome):
                let observed = Step.Expected.leads(outcome.state.leaderID ?? UUID(), price: outcome.state.currentPrice)
                #expect(observed == step.expected, "step \(index + 1) of \(name)")
                #expect(outcome.state.bidCount == before.bidCount + 1, "step \(index + 1) of \(name) is counted")
            case .failure(let rejection):
                #expect(Step.Expected.rejected(rejection) == step.expected, "step \(index + 1) of \(name)")
                #expect(run.state == before, "step \(index + 1) of \(name) changes nothing")
            }
        }
    }
}
