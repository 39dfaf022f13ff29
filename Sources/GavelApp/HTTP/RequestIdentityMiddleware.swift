import Foundation
import HTTPTypes
import Hummingbird
import GavelCore
import Synchronization

/// Gives every request its `X-Request-ID` (the client's, when sane) and a trace id (from a
/// valid W3C `traceparent`, else new), both attached to the logger and echoed in the response.
struct RequestIdentityMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let ids = IdentifierSource()

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let requestID = request.headers.value(.requestID).flatMap(Self.saneRequestID) ?? ids.next()
        let traceID = request.headers.value(.traceparent).flatMap(Self.traceID) ?? ids.next()
        context.requestID = requestID
        context.traceID = traceID
        context.logger[metadataKey: "request_id"] = .string(requestID)
        context.logger[metadataKey: "trace_id"] = .string(traceID)
        var response = try await next(request, context)
        response.headers[.requestID] = requestID
        return response
    }

    /// Up to 128 visible characters from a conservative set, so ids are safe in logs and headers.
    static func saneRequestID(_ value: String) -> String? {
        guard (1...128).contains(value.utf8.count),
            value.utf8.allSatisfy({ byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
                    || byte == UInt8(ascii: ":")
            })
        else { return nil }
        return value
    }

    /// The trace id of a version-00 `traceparent` (`00-<32 hex>-<16 hex>-<2 hex>`, lower-case);
    /// all-zero ids are invalid by the W3C rules. Read as bytes: `Character.isHexDigit` also
    /// takes full-width digits, which let 96 bytes of non-hex text pass as a trace id.
    static func traceID(_ header: String) -> String? {
        let value = Array(FieldValue.trimmed(Substring(header)).utf8)
        guard value.count == 55, value[0] == UInt8(ascii: "0"), value[1] == UInt8(ascii: "0") else { return nil }
        for (index, byte) in value.enumerated().dropFirst(2) {
            let dash = index == 2 || index == 35 || index == 52
            guard dash ? byte == UInt8(ascii: "-") : (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte) else { return nil }
        }
        guard value[3..<35].contains(where: { $0 != UInt8(ascii: "0") }), value[36..<52].contains(where: { $0 != UInt8(ascii: "0") }) else {
            return nil
        }
        return String(decoding: value[3..<35], as: UTF8.self)
    }
}

/// 128-bit random ids as 32 hex digits, for request and trace ids. They must be unique, not
/// secret, so a SplitMix64 stream seeded once from the system generator serves them without a
/// system call per id.
final class IdentifierSource: Sendable {
    private let generator: Mutex<SplitMix64>

    init() {
        var system = SystemRandomNumberGenerator()
        generator = Mutex(SplitMix64(seed: system.next()))
    }

    func next() -> String {
        let (high, low) = generator.withLock { ($0.next(), $0.next()) }
        return String(unsafeUninitializedCapacity: 32) { buffer in
            for (index, word) in [high, low].enumerated() {
                for nibble in 0..<16 {
                    let value = UInt8(truncatingIfNeeded: word >> (60 - 4 * UInt64(nibble))) & 0x0F
                    buffer[index * 16 + nibble] = value < 10 ? 0x30 + value : 0x57 + value
                }
            }
            return 32
        }
    }

}
