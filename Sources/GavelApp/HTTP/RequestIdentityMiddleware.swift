import Foundation
import HTTPTypes
import Hummingbird

/// Gives every request its `X-Request-ID` (the client's, when sane) and a trace id (from a
/// valid W3C `traceparent`, else new), both attached to the logger and echoed in the response.
struct RequestIdentityMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let requestID = request.headers[.requestID].flatMap(Self.saneRequestID) ?? Self.randomHex(bytes: 16)
        let traceID = request.headers[.traceparent].flatMap(Self.traceID) ?? Self.randomHex(bytes: 16)
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

    /// The trace id of a version-00 `traceparent` (`00-<32 hex>-<16 hex>-<2 hex>`); all-zero ids
    /// are invalid by the W3C rules.
    static func traceID(_ header: String) -> String? {
        let parts = header.trimmingCharacters(in: .whitespaces).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "00", parts[1].count == 32, parts[2].count == 16, parts[3].count == 2,
            parts.dropFirst().allSatisfy({ $0.allSatisfy(\.isHexDigit) && $0 == $0.lowercased() }),
            parts[1].contains(where: { $0 != "0" }), parts[2].contains(where: { $0 != "0" })
        else { return nil }
        return String(parts[1])
    }

    static func randomHex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        var text = ""
        text.reserveCapacity(bytes * 2)
        for _ in 0..<bytes {
            let byte = UInt8.random(in: 0...255, using: &generator)
            text.append(Self.hexDigits[Int(byte >> 4)])
            text.append(Self.hexDigits[Int(byte & 0x0F)])
        }
        return text
    }

    private static let hexDigits = Array("0123456789abcdef")
}
