import Crypto
import GavelCore
import Hummingbird
import NIOCore

/// The `Idempotency-Key` header of creating requests (products, items, bids).
enum IdempotencyKey {
    /// The request's key, if it sent one. Keys are opaque to the server but bounded:
    /// 1–255 visible ASCII characters, else 400.
    static func read(_ request: Request) throws -> String? {
        guard let key = request.headers.value(.idempotencyKey) else { return nil }
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw Problem.badRequest(
                "Idempotency-Key must be 1 to 255 visible ASCII characters.", code: "request.invalid_header",
                errors: [FieldError(field: "Idempotency-Key", message: "invalid")])
        }
        return key
    }

    /// SHA-256 of the body: a retry must send the same bytes to get the stored answer.
    static func hash(_ body: ByteBuffer) -> String {
        SHA256.hash(data: Array(body.readableBytesView)).map { String(format: "%02x", $0) }.joined()
    }
}

extension Problem {
    /// The key came back with a different body: not a retry, and not a new request either.
    static let idempotencyKeyReused = Problem(
        .unprocessableContent, code: "idempotency.key_reused", detail: "This Idempotency-Key was used with a different request body.")

    /// A concurrent request holds the key and has not answered yet.
    static let idempotencyConflict = Problem(
        .conflict, code: "idempotency.conflict", detail: "Another request with this Idempotency-Key is being processed; retry it.")
}

extension IdempotentResponse {
    /// `stored` when it answers this very request (same body), `nil` when there is none;
    /// a stored answer for another body is 422.
    static func replay(_ stored: IdempotentResponse?, for requestHash: String) throws -> IdempotentResponse? {
        guard let stored else { return nil }
        guard stored.requestHash == requestHash else { throw Problem.idempotencyKeyReused }
        return stored
    }

    /// The stored answer, sent again as it was first sent.
    var response: Response {
        var response = Response.json(ByteBuffer(bytes: body), status: .init(code: status))
        response.headers[.location] = location
        return response
    }
}
