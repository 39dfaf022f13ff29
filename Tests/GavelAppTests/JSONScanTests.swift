import Foundation
import GavelCore
import NIOCore
import Testing

@testable import GavelApp

@Suite("What the decoder does not check: repeated names, non-integer numbers")
struct JSONScanTests {
    static func scan(_ text: String) -> JSONScan.Findings? {
        Array(text.utf8).withUnsafeBytes(JSONScan.scan)
    }

    @Test(
        "a name repeated within one object is found, also when spelled with escapes",
        arguments: [
            (#"{"amount": 1, "amount": 2}"#, "amount"),
            (#"{"amount": 1, "am\u006funt": 2}"#, "amount"),
            (#"{"a": {"b": 1, "b": 2}}"#, "a.b"),
            (#"[{"x": 1}, {"y": 1, "y": [2]}]"#, "y"),
            (#"{"\ud83e\ude94": 1, "🪔": 2}"#, "🪔"),
        ])
    func repeated(text: String, name: String) throws {
        let findings = try #require(Self.scan(text))
        #expect(findings.repeated == name, "\(findings)")
    }

    @Test(
        "the same name in different objects, or names that differ, are not repeats",
        arguments: [#"{"a": {"x": 1}, "b": {"x": 1}}"#, #"{"a": 1, "A": 2, "a ": 3}"#, #"[{"x": 1}, {"x": 2}]"#, "{}", "[]", "1"])
    func notRepeated(text: String) throws {
        #expect(try #require(Self.scan(text)).repeated == nil)
    }

    @Test(
        "numbers with a fraction or an exponent are found under their top-level member",
        arguments: [
            (#"{"amount": 1e3}"#, ["amount"]), (#"{"amount": 1000.0, "price": 5E-1}"#, ["amount", "price"]),
            (#"{"a": [1, 2.5, {"b": 3e0}], "c": 4}"#, ["a"]), (#"{"amount": -0.0}"#, ["amount"]), ("2.5", ["body"]),
            (#"{"amount": 1000, "note": "1.5"}"#, []),
        ])
    func nonIntegers(text: String, names: [String]) throws {
        #expect(try #require(Self.scan(text)).nonIntegers == names)
    }

    @Test(
        "malformed JSON has no findings: the decoder explains it",
        arguments: [
            "", "{", #"{"a" 1}"#, #"{"a": 1,}"#, #"{"a": tru}"#, #"{"a": "\x"}"#, #"{"a": "\u12"}"#, "{\"a\": \"\u{1}\"}", #"{"a": 1} 2"#,
            #"{"a": 1."#, #"{"a": -}"#, #"{"a": 1e}"#, String(repeating: "[", count: 200) + String(repeating: "]", count: 200),
        ])
    func malformed(text: String) {
        #expect(Self.scan(text) == nil)
    }

    @Test("a body repeating a member is 400, one with a fractional amount 422, through the decoder path")
    func strictDecoding() throws {
        func problem(_ text: String) -> Problem? {
            do {
                _ = try StrictJSON.decode(BidBody.self, from: ByteBuffer(string: text))
                return nil
            } catch {
                return error as? Problem
            }
        }
        let repeated = try #require(problem(#"{"amount": 100, "amount": 999999}"#))
        #expect(repeated.status == .badRequest && repeated.code == "request.malformed_json")
        #expect(repeated.errors == [FieldError(field: "amount", message: "appears more than once")])
        for text in [#"{"amount": 1e3}"#, #"{"amount": 1000.0}"#, #"{"amount": 1000, "max_amount": 2000.0000000000000001}"#] {
            let fractional = try #require(problem(text), "\(text)")
            #expect(fractional.status == .unprocessableContent, "\(text)")
            #expect(fractional.errors.allSatisfy { $0.message == "must be an integer" }, "\(text)")
        }
        // An unknown member is still 400 before anything is judged of the values.
        #expect(problem(#"{"amount": 1.5, "bid": 1}"#)?.code == "request.unknown_field")
        #expect(problem(#"{"amount": 1000, "currency": null}"#) == nil)
    }
}
