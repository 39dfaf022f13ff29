import Foundation
import GavelCore
import Testing

@Suite("Identifier")
struct IdentifierTests {
    /// Dates spread over the range ids are realistically made in.
    static let dates: [Date] = [
        Date(timeIntervalSince1970: 0),
        Date(timeIntervalSince1970: 1_700_000_000.123),
        Fixture.noon,
        Date(timeIntervalSince1970: 2_000_000_000.999),
    ]

    /// The 48-bit big-endian millisecond timestamp at the front of a UUIDv7.
    static func embeddedMillis(_ id: UUID) -> UInt64 {
        withUnsafeBytes(of: id.uuid) { bytes in bytes.prefix(6).reduce(0) { $0 << 8 | UInt64($1) } }
    }

    @Test("sets the version nibble to 7", arguments: dates)
    func versionNibble(date: Date) {
        let id = Identifier.make(at: date)
        #expect(id.uuid.6 >> 4 == 7)
        #expect(Array(id.text)[14] == "7")
    }

    @Test("sets the RFC 9562 variant bits to 10", arguments: dates)
    func variantBits(date: Date) {
        let id = Identifier.make(at: date)
        #expect(id.uuid.8 & 0xC0 == 0x80)
        #expect("89ab".contains(Array(id.text)[19]))
    }

    @Test("ids made in the same millisecond are still distinct")
    func distinctWithinMillisecond() {
        let ids = (0..<1_000).map { _ in Identifier.make(at: Fixture.noon) }
        #expect(Set(ids).count == ids.count)
    }

    @Test("ids made in one millisecond count up: each sorts after the one before")
    func monotonicWithinMillisecond() {
        let generator = IdentifierGenerator()
        let ids = (0..<2_000).map { _ in generator.make(at: Fixture.noon).text }
        #expect(ids == ids.sorted())
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.prefix(13) == ids[0].prefix(13) && Array($0)[14] == "7" && "89ab".contains(Array($0)[19]) })
    }

    @Test("an id for another millisecond keeps its own timestamp and starts afresh")
    func otherMillisecond() {
        let generator = IdentifierGenerator()
        let now = generator.make(at: Fixture.noon)
        let past = Date(timeIntervalSince1970: 1_700_000_000.123)
        let backDated = generator.make(at: past)
        #expect(Self.embeddedMillis(backDated) == 1_700_000_000_123)
        #expect(Self.embeddedMillis(generator.make(at: Fixture.noon)) == Self.embeddedMillis(now))
    }

    /// Whether ids made at `millis` all sort before ids made one millisecond later. The random
    /// tail decides when the timestamps tie, so many pairs make a tie all but certain to show.
    static func laterAlwaysSortsLater(_ millis: UInt64) -> Bool {
        let earlier = Date(timeIntervalSince1970: Double(millis) / 1000)
        let later = Date(timeIntervalSince1970: Double(millis + 1) / 1000)
        return (0..<200).allSatisfy { _ in Identifier.make(at: earlier).text < Identifier.make(at: later).text }
    }

    @Test(
        "an id made a millisecond later sorts later by its text",
        arguments: [UInt64(1_700_000_000_000), 1_767_225_600_999, 2_000_000_000_500])
    func laterSortsLater(millis: UInt64) {
        #expect(Self.laterAlwaysSortsLater(millis))
    }

    // Regression: `seconds * 1000` used to truncate a later millisecond onto the earlier one.
    @Test(
        "an id made a millisecond later sorts later, also near the epoch and after 2038",
        arguments: [UInt64(1), 65_364_073_845, 2_155_995_878_962])
    func laterSortsLaterFarFromPresent(millis: UInt64) {
        #expect(Self.laterAlwaysSortsLater(millis))
    }

    @Test(
        "embeds the millisecond it was made in",
        arguments: [UInt64(0), 1, 1_000, 1_700_000_000_123, 1_767_225_600_000, 2_000_000_000_999])
    func embedsMillis(millis: UInt64) {
        let id = Identifier.make(at: Date(timeIntervalSince1970: Double(millis) / 1000))
        #expect(Self.embeddedMillis(id) == millis)
    }

    // Regression: `timeIntervalSince1970 * 1000` lands just below the whole millisecond for some
    // dates (mostly before 2004 and after 2038), and truncating it dropped a millisecond.
    @Test(
        "embeds the millisecond it was made in, also near the epoch and after 2038",
        arguments: [UInt64(2), 999, 65_364_073_846, 1_076_167_855_998, 2_155_995_878_963, 2_191_827_227_048])
    func embedsMillisFarFromPresent(millis: UInt64) {
        let id = Identifier.make(at: Date(timeIntervalSince1970: Double(millis) / 1000))
        #expect(Self.embeddedMillis(id) == millis)
    }

    @Test("truncates to the millisecond rather than rounding up")
    func truncatesSubMillisecond() {
        let id = Identifier.make(at: Date(timeIntervalSince1970: 1_700_000_000.1239))
        #expect(Self.embeddedMillis(id) == 1_700_000_000_123)
    }

    @Test("a date before the Unix epoch embeds a zero timestamp")
    func clampsBeforeEpoch() {
        let id = Identifier.make(at: Date(timeIntervalSince1970: -86_400))
        #expect(Self.embeddedMillis(id) == 0)
    }

    @Test("text is the lower-case canonical form")
    func textIsLowerCanonical() {
        let id = Identifier.make(at: Fixture.noon)
        #expect(id.text == id.uuidString.lowercased())
        #expect(id.text.count == 36)
        #expect(id.text.allSatisfy { "0123456789abcdef-".contains($0) })
    }

    @Test("text agrees with Foundation for random and extreme ids, and parses back")
    func textAgreesWithFoundation() {
        let extremes = [UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
                        UUID(uuidString: "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF")!]
        for id in extremes + (0..<500).map({ _ in UUID() }) {
            #expect(id.text == id.uuidString.lowercased())
            #expect(Identifier.parse(id.text) == id)
        }
    }

    @Test("parsing an id's text gives the id back")
    func parseRoundTrips() {
        let id = Identifier.make(at: Fixture.noon)
        #expect(Identifier.parse(id.text) == id)
    }

    @Test(
        "parses a canonical id in any letter case",
        arguments: [
            "01890a5d-ac96-774b-bcce-b302099a8057",
            "01890A5D-AC96-774B-BCCE-B302099A8057",
            "01890a5D-Ac96-774B-bCce-B302099a8057",
        ])
    func parsesAnyCase(text: String) throws {
        let id = try #require(Identifier.parse(text))
        #expect(id.text == "01890a5d-ac96-774b-bcce-b302099a8057")
    }

    @Test("parses exactly what Foundation parses among canonical shapes, and nothing else")
    func parseAgreesWithFoundation() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789abcdefABCDEF-g ")
        for _ in 0..<5_000 {
            var characters = Array(UUID().uuidString)
            for _ in 0..<Int.random(in: 0...2, using: &generator) {
                characters[Int.random(in: 0..<36, using: &generator)] = alphabet.randomElement(using: &generator)!
            }
            let text = String(characters)
            let canonical = text.count == 36 && text.enumerated().allSatisfy { offset, character in
                [8, 13, 18, 23].contains(offset) ? character == "-" : character.isHexDigit
            }
            #expect(Identifier.parse(text) == (canonical ? UUID(uuidString: text) : nil), "\(text)")
        }
    }

    @Test("parses an id from a substring of a path")
    func parsesSubstring() {
        let path = "/api/v1/products/01890a5d-ac96-774b-bcce-b302099a8057"
        let last = path.split(separator: "/").last!
        #expect(Identifier.parse(last)?.text == "01890a5d-ac96-774b-bcce-b302099a8057")
    }

    @Test(
        "rejects text that is not a canonical id",
        arguments: [
            "",
            "not-a-uuid",
            "01890a5d-ac96-774b-bcce-b302099a805",  // 35 characters
            "01890a5d-ac96-774b-bcce-b302099a80577",  // 37 characters
            "{01890a5d-ac96-774b-bcce-b302099a8057}",
            "urn:uuid:01890a5d-ac96-774b-bcce-b302099a8057",
            "01890a5dac96774bbcceb302099a8057",  // no hyphens
            "01890a5dac96774bbcceb302099a8057----",  // hyphens in the wrong place
            "01890a5d_ac96_774b_bcce_b302099a8057",
            "01890a5d-ac96-774b-bcce-b302099a805g",  // not hex
            "01890a5d-ac96-774b-bcce-b302099a805 ",
            " 01890a5d-ac96-774b-bcce-b302099a8057",
        ])
    func rejectsMalformed(text: String) {
        #expect(Identifier.parse(text) == nil)
    }

    // Regression: on Linux, Foundation's UUID(uuidString:) scans each byte sscanf-style, so it
    // skips blanks and accepts signs and "0x"; these 36-character strings parsed to *other* ids.
    @Test(
        "rejects 36-character text with signs, blanks or a hex prefix inside",
        arguments: [
            " 1890a5d-ac96-774b-bcce-b302099a8057",
            "+1890a5d-ac96-774b-bcce-b302099a8057",
            "-1890a5d-ac96-774b-bcce-b302099a8057",
            "0x890a5d-ac96-774b-bcce-b302099a8057",
            "01890a5d- c96-774b-bcce-b302099a8057",
            "01890a5d-ac96-774b-bcce-b3020\t9a8057",
        ])
    func rejectsLooselyScannable(text: String) {
        #expect(Identifier.parse(text) == nil)
    }
}
