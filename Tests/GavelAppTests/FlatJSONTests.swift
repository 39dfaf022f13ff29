import Foundation
import GavelCore
import NIOCore
import Testing

@testable import GavelApp

@Suite("Plain JSON bodies")
struct FlatJSONTests {
    static func plain(_ text: String) -> BidBody? {
        Array(text.utf8).withUnsafeBytes { BidBody.plain($0) }
    }

    static func decoded(_ text: String) -> BidBody? {
        try? StrictJSON.decoded(BidBody.self, from: ByteBuffer(string: text))
    }

    static func same(_ a: BidBody?, _ b: BidBody?) -> Bool {
        a?.amount == b?.amount && a?.maxAmount == b?.maxAmount && a?.currency == b?.currency && (a == nil) == (b == nil)
    }

    @Test("plain bid bodies are read without the decoder, to the same value", arguments: [
        (#"{"amount": 1200}"#, 1_200, nil, nil),
        (#"{"amount":1200,"max_amount":1500,"currency":"EUR"}"#, 1_200, 1_500, "EUR"),
        ("\r\n\t{ \"amount\" :\n-0 }\n", 0, nil, nil),
        (#"{"max_amount": null, "currency": null, "amount": 5}"#, 5, nil, nil),
        (#"{"amount": -17, "currency": "x y"}"#, -17, nil, "x y"),
        (#"{"amount": 999999999999999999}"#, 999_999_999_999_999_999, nil, nil),
    ] as [(String, Int, Int?, String?)])
    func plainBodies(text: String, amount: Int, max: Int?, currency: String?) throws {
        let body = try #require(Self.plain(text))
        #expect(body.amount == amount && body.maxAmount == max && body.currency == currency)
        #expect(Self.same(body, Self.decoded(text)))
    }

    @Test("anything less plain is left to the decoder", arguments: [
        "", "{}", "[]", "1200", "null", #"{"amount": 1200"#, #"{"amount": 1200,}"#, #"{"amount": 1200} x"#,
        #"{"amount": 1.0}"#, #"{"amount": 1e3}"#, #"{"amount": 12E1}"#, #"{"amount": 01}"#, #"{"amount": -}"#,
        #"{"amount": 1000000000000000000}"#, #"{"amount": "1200"}"#, #"{"amount": null}"#, #"{"amount": true}"#,
        #"{"amount": 1, "amount": 2}"#, #"{"amount": 1, "bid": 2}"#, #"{"amount": 1, "currency": "\u0045UR"}"#,
        #"{"amount": 1, "currency": "€"}"#, #"{"amount": 1, "max_amount": {"x": 1}}"#, #"{"am\u006funt": 1}"#,
        "\u{FEFF}{\"amount\": 1}", #"{"amount" 1}"#, #"{amount: 1}"#, "{\"amount\":\u{0B}1}", #"{"currency": "EUR"}"#,
        #"{"amount": 1, "currency": 5}"#, #"{"amount": 1, "max_amount": "2"}"#,
    ])
    func notPlain(text: String) {
        #expect(Self.plain(text) == nil)
    }

    @Test("a body with more members than the limit is left to the decoder, without comparing every pair of names")
    func manyMembers() throws {
        let names = (0..<100_000).map { #""m\#($0)": 0"# }
        let body = "{" + names.joined(separator: ",") + "}"
        let members = Array(body.utf8).withUnsafeBytes { FlatJSON.members($0) }
        #expect(members == nil)
        let sixteen = "{" + names.prefix(16).joined(separator: ",") + "}"
        #expect(Array(sixteen.utf8).withUnsafeBytes { FlatJSON.members($0) }?.count == 16)
        let seventeen = "{" + names.prefix(17).joined(separator: ",") + "}"
        #expect(Array(seventeen.utf8).withUnsafeBytes { FlatJSON.members($0) } == nil)
        // The decoder's answer names 20 of them and counts the rest.
        do {
            _ = try StrictJSON.decoded(BidBody.self, from: ByteBuffer(string: #"{"amount": 1, "# + body.dropFirst()))
            Issue.record("decoded a body with unknown members")
        } catch let problem as Problem {
            #expect(problem.code == "request.unknown_field")
            #expect(problem.errors.count == StrictJSON.maxUnknownNamed)
            #expect(problem.detail?.contains("99980 more not listed") == true, "\(String(describing: problem.detail))")
        }
    }

    @Test("over 20,000 generated bodies, the plain reading never differs from the decoder's")
    func differential() {
        // Seeded, so a failure can be replayed.
        var random = SplitMix64(seed: 0x6761_7665_6C)
        let names = [#""amount""#, #""max_amount""#, #""currency""#]
        let oddNames = [#""amount ""#, #""x""#, #""am\u006Fount""#, #""Amount""#]
        let values = ["0", "-0", "1200", "-5", "17", "999999999999999999", "null", #""EUR""#, #""""#, #""a b""#]
        let oddValues = ["01", "1.5", "1e2", "9223372036854775807", "99999999999999999999", "true", #""\"""#, #""é""#, "[1]", "{}",
                         "-", "+1", "0x10", "1000000000000000000"]
        let blanks = ["", " ", "\n", "\t", "\r\n"]
        let oddBlanks = ["\u{0B}", "\u{A0}", "\u{FEFF}"]
        var plainCount = 0
        for _ in 0..<20_000 {
            // Mostly well-formed members, with an odd piece now and then.
            func blank() -> String { random.next() % 25 == 0 ? random.pick(oddBlanks) : random.pick(blanks) }
            func name() -> String { random.next() % 12 == 0 ? random.pick(oddNames) : random.pick(names) }
            func value() -> String { random.next() % 6 == 0 ? random.pick(oddValues) : random.pick(values) }
            var text = blank() + "{"
            // Each name once, in a random order, unless the odd one comes up.
            var unused = names
            let count = random.next() % 4
            for index in 0..<count {
                if index > 0 { text += blank() + "," }
                let member = unused.isEmpty || random.next() % 12 == 0 ? name() : unused.remove(at: Int(random.next() % UInt64(unused.count)))
                text += blank() + member + blank() + ":" + blank() + value()
            }
            text += blank() + "}" + (random.next() % 20 == 0 ? random.pick(["x", ",", "}", "{}"]) : blank())
            if random.next() % 10 == 0 {
                // Damage one byte.
                var bytes = Array(text.utf8)
                bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
                text = String(decoding: bytes, as: UTF8.self)
            }
            guard let plain = Self.plain(text) else { continue }
            plainCount += 1
            #expect(Self.same(plain, Self.decoded(text)), "\(text.debugDescription)")
        }
        // The generator must reach the plain reading often enough for the comparison to mean something.
        #expect(plainCount > 1_000, "\(plainCount)")
    }
}

extension SplitMix64 {
    mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }
}
