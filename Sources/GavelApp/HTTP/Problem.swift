import GavelCore
import HTTPTypes
import Hummingbird

/// An RFC 9457 problem: every error the API reports. `code` is the stable identifier clients
/// branch on; `errors` lists field-level failures.
public struct Problem: Error, Sendable {
    public let status: HTTPResponse.Status
    public let code: String
    public let title: String
    public let detail: String?
    public let errors: [FieldError]
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, code: String, detail: String? = nil, errors: [FieldError] = [], title: String? = nil) {
        self.status = status
        self.code = code
        self.title = title ?? status.reasonPhrase
        self.detail = detail
        self.errors = errors
    }

    func with(_ name: HTTPField.Name, _ value: String) -> Problem {
        var copy = self
        copy.headers[name] = value
        return copy
    }

    static func notFound(_ what: String = "resource", code: String = "resource.not_found") -> Problem {
        Problem(.notFound, code: code, detail: "No \(what) exists at this address.")
    }

    static func unauthorized(_ detail: String, code: String = "auth.invalid_token") -> Problem {
        Problem(.unauthorized, code: code, detail: detail)
            .with(.wwwAuthenticate, code == "auth.missing_token" ? "Bearer" : "Bearer error=\"invalid_token\"")
    }

    static func badRequest(_ detail: String, code: String, errors: [FieldError] = []) -> Problem {
        Problem(.badRequest, code: code, detail: detail, errors: errors)
    }

    static func invalidParameters(_ failure: ValidationFailure) -> Problem {
        badRequest("One or more query parameters are invalid.", code: "request.invalid_parameter", errors: failure.errors)
    }

    static func validation(_ failure: ValidationFailure) -> Problem {
        Problem(.unprocessableContent, code: failure.code, detail: "The request is well-formed but not acceptable.", errors: failure.errors)
    }

    static func unavailable(_ detail: String, code: String, retryAfter: Int = 1) -> Problem {
        Problem(.serviceUnavailable, code: code, detail: detail).with(.retryAfter, String(retryAfter))
    }

    /// A write that took longer than `server.request_timeout`.
    static let requestTimeout = Problem.unavailable("The request took longer than the server allows.", code: "request.timeout")

    static let preconditionFailed = Problem(
        .preconditionFailed, code: "request.precondition_failed",
        detail: "If-Match does not match the current version; fetch the resource and retry.")

    /// The body's shape, as `JSONCoding.encode` would write it; `json()` writes the same bytes.
    struct Body: Encodable {
        let type: String
        let title: String
        let status: Int
        let detail: String?
        let code: String
        let errors: [FieldError]?

        init(_ problem: Problem) {
            type = "/problems/\(problem.code)"
            title = problem.title
            status = problem.status.code
            detail = problem.detail
            code = problem.code
            errors = problem.errors.isEmpty ? nil : problem.errors
        }
    }

    /// The body, written directly: every rejected bid, 404 and other refusal answers with one,
    /// and in a run of mostly rejected bids `JSONEncoder` took a tenth of the CPU.
    func json() -> [UInt8] {
        var body = JSONObjectWriter(capacity: 192)
        body.field("code", code)
        body.field("detail", detail)
        if !errors.isEmpty {
            body.field("errors", objects: errors) { entry, error in
                entry.field("field", error.field)
                entry.field("message", error.message)
            }
        }
        body.field("status", status.code)
        body.field("title", title)
        body.field("type", "/problems/" + code)
        return body.finish()
    }

    func response() -> Response {
        var fields = headers
        fields[.contentType] = "application/problem+json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: json())))
    }
}

extension HTTPField.Name {
    static let requestID = Self("X-Request-ID")!
    static let traceparent = Self("traceparent")!
    static let idempotencyKey = Self("Idempotency-Key")!
    static let lastEventID = Self("Last-Event-ID")!
    static let contentTypeOptions = Self("X-Content-Type-Options")!
    static let frameOptions = Self("X-Frame-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
}
