import Foundation
import GavelCore
import Testing

@Suite("TOTP")
struct TOTPTests {
    /// The RFC 6238 Appendix B SHA-1 key: the 20 ASCII bytes "12345678901234567890".
    static let rfcSecret = Array("12345678901234567890".utf8)

    /// RFC 6238 Appendix B, SHA-1 rows: Unix time, step (the "T" column), 8-digit code.
    static let rfcVectors: [(Double, Int64, String)] = [
        (59, 0x1, "94287082"),
        (1_111_111_109, 0x23523EC, "07081804"),
        (1_111_111_111, 0x23523ED, "14050471"),
        (1_234_567_890, 0x273EF07, "89005924"),
        (2_000_000_000, 0x3F940AA, "69279037"),
        (20_000_000_000, 0x27BC86AA, "65353130"),
    ]

    static let eight = TOTP(secret: rfcSecret, hmac: hmacSHA1, digits: 8)
    static let six = TOTP(secret: rfcSecret, hmac: hmacSHA1)

    static func date(_ seconds: Double) -> Date { Date(timeIntervalSince1970: seconds) }

    @Test("computes the RFC 6238 Appendix B SHA-1 codes", arguments: rfcVectors)
    func rfcCodes(time: Double, step: Int64, code: String) {
        #expect(Self.eight.code(at: Self.date(time)) == code)
        #expect(Self.eight.code(step: step) == code)
    }

    @Test("a 6-digit code is the last six digits of the 8-digit one", arguments: rfcVectors)
    func sixDigitCodes(time: Double, step: Int64, code: String) {
        #expect(Self.six.code(at: Self.date(time)) == String(code.suffix(6)))
    }

    @Test("the step is the number of whole 30-second periods since the epoch", arguments: rfcVectors)
    func rfcSteps(time: Double, step: Int64, code: String) {
        #expect(TOTP.step(at: Self.date(time)) == step)
    }

    @Test(
        "a step starts exactly on its boundary and lasts until the next",
        arguments: [(0.0, 0), (29.999, 0), (30, 1), (59.9999, 1), (60, 2), (1_767_225_599.9, 58_907_519)] as [(Double, Int64)])
    func stepBoundaries(time: Double, step: Int64) {
        #expect(TOTP.step(at: Self.date(time)) == step)
    }

    @Test("a step honours another period and rounds down before the epoch")
    func stepPeriodAndNegativeTime() {
        #expect(TOTP.step(at: Self.date(119), period: 60) == 1)
        #expect(TOTP.step(at: Self.date(-1)) == -1)
        #expect(TOTP.step(at: Self.date(-30)) == -1)
        #expect(TOTP.step(at: Self.date(-31)) == -2)
    }

    @Test("codes keep their leading zeros")
    func leadingZeros() {
        // Appendix B's 1111111109 row is "07081804".
        let code = Self.eight.code(step: 0x23523EC)
        #expect(code.count == 8)
        #expect(code.hasPrefix("0"))
    }

    // MARK: verification

    static let now = Self.date(1_111_111_111)  // step 0x23523ED
    static let nowStep: Int64 = 0x23523ED

    @Test("accepts the current code and returns its step")
    func acceptsCurrentCode() {
        #expect(Self.six.matchingStep("050471", at: Self.now) == Self.nowStep)
        #expect(Self.eight.matchingStep("14050471", at: Self.now) == Self.nowStep)
    }

    @Test("accepts the codes of the previous and the next step, returning that step", arguments: [-1, 1] as [Int64])
    func acceptsAdjacentSteps(offset: Int64) {
        let step = Self.nowStep + offset
        #expect(Self.six.matchingStep(Self.six.code(step: step), at: Self.now) == step)
    }

    @Test("refuses codes two or more steps away", arguments: [-3, -2, 2, 3] as [Int64])
    func refusesDistantSteps(offset: Int64) {
        let code = Self.six.code(step: Self.nowStep + offset)
        #expect(Self.six.matchingStep(code, at: Self.now) == nil)
    }

    @Test("a wider window reaches further, a zero window only the current step")
    func windowWidth() {
        let twoAhead = Self.six.code(step: Self.nowStep + 2)
        #expect(Self.six.matchingStep(twoAhead, at: Self.now, window: 2) == Self.nowStep + 2)
        let previous = Self.six.code(step: Self.nowStep - 1)
        #expect(Self.six.matchingStep(previous, at: Self.now, window: 0) == nil)
        #expect(Self.six.matchingStep("050471", at: Self.now, window: 0) == Self.nowStep)
    }

    @Test("accepts a code with surrounding whitespace")
    func trimsWhitespace() {
        #expect(Self.six.matchingStep(" 050471\n", at: Self.now) == Self.nowStep)
    }

    @Test(
        "refuses anything that is not exactly six ASCII digits",
        arguments: [
            "", "05047", "0504711", "14050471",  // too short or too long
            "05047a", "12345a", "050 471", "050-471", "+50471", "-50471", "0x5047",  // not digits only
            "０５０４７１",  // full-width digits
            "٠٥٠٤٧١",  // Arabic-Indic digits
            "05047\u{0031}\u{20E3}",  // a keycap sequence ending in "1"
        ])
    func refusesMalformedCodes(code: String) {
        #expect(Self.six.matchingStep(code, at: Self.now) == nil)
    }

    @Test("refuses a wrong code of the right shape")
    func refusesWrongCode() {
        let valid = Set((-1...1).map { Self.six.code(step: Self.nowStep + Int64($0)) })
        let wrong = ["000000", "123456", "999999", "050470", "150471"].filter { !valid.contains($0) }
        #expect(!wrong.isEmpty)
        for code in wrong { #expect(Self.six.matchingStep(code, at: Self.now) == nil) }
    }

    @Test("a different secret yields different codes")
    func secretMatters() {
        let other = TOTP(secret: Array("12345678901234567891".utf8), hmac: hmacSHA1)
        #expect(other.matchingStep("050471", at: Self.now) == nil)
    }

    @Test("when two steps in the window share a code, the latest step is returned")
    func latestStepWinsOnCollision() {
        // An HMAC that ignores the counter gives every step the same code.
        let constant = TOTP(secret: [], hmac: { _, _ in [UInt8](repeating: 0, count: 20) })
        #expect(constant.code(step: 1) == "000000")
        #expect(constant.matchingStep("000000", at: Self.now) == Self.nowStep + 1)
    }

    /// A TOTP over the RFC secret that counts how often its HMAC runs.
    static func counted() -> (TOTP, CallCounter) {
        let calls = CallCounter()
        let totp = TOTP(
            secret: rfcSecret,
            hmac: { key, message in
                calls.increment()
                return hmacSHA1(key, message)
            })
        return (totp, calls)
    }

    @Test("checks every step of the window even when the first one matches")
    func noShortCircuitAcrossWindow() {
        let (totp, calls) = Self.counted()
        let earliest = totp.code(step: Self.nowStep - 1)
        calls.reset()
        #expect(totp.matchingStep(earliest, at: Self.now) == Self.nowStep - 1)
        #expect(calls.value == 3)
    }

    @Test("refuses a malformed code without computing any HMAC", arguments: ["12345a", "1234567", "０５０４７１"])
    func malformedCodeComputesNothing(code: String) {
        let (totp, calls) = Self.counted()
        #expect(totp.matchingStep(code, at: Self.now) == nil)
        #expect(calls.value == 0)
    }

    @Test("the HMAC sees the secret and the step as an 8-byte big-endian counter")
    func hmacInput() {
        let probe = TOTP(
            secret: [1, 2, 3],
            hmac: { key, message in
                #expect(key == [1, 2, 3])
                #expect(message == [0, 0, 0, 0, 0x27, 0xBC, 0x86, 0xAA])
                return [UInt8](repeating: 0, count: 20)
            })
        #expect(probe.code(step: 0x27BC86AA) == "000000")
    }
}

@Suite("TOTP replay")
struct TOTPReplayTests {
    @Test(
        "a step is a replay unless it is later than the last accepted one",
        arguments: [
            (100, nil, false),  // nothing accepted yet
            (101, 100, false),  // a newer step
            (100, 100, true),  // the same step again
            (99, 100, true),  // an older step still inside the skew window
            (0, 100, true),
        ] as [(Int64, Int64?, Bool)])
    func replayRule(step: Int64, last: Int64?, replay: Bool) {
        #expect(TOTPReplay.isReplay(step: step, lastAcceptedStep: last) == replay)
    }
}
