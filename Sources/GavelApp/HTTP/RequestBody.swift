import Foundation
import GavelCore
import Hummingbird
import NIOCore

/// A JSON request body whose accepted members are exactly its coding keys.
protocol StrictDecodable: Decodable {
    associatedtype CodingKeys: CodingKey & CaseIterable

    /// The body decoded without `JSONDecoder` when that is certain to give the same value; nil
    /// to leave it to the decoder. None by default.
    static func plain(_ bytes: UnsafeRawBufferPointer) -> Self?
}

extension StrictDecodable {
    static var memberNames: Set<String> { Set(CodingKeys.allCases.map(\.stringValue)) }

    static func plain(_ bytes: UnsafeRawBufferPointer) -> Self? { nil }
}

/// The media types a write accepts.
enum JSONMediaType {
    static let json: Set<String> = ["application/json"]
    static let mergePatch: Set<String> = ["application/json", "application/merge-patch+json"]
}

extension Request {
    /// Reads the body up to `limit` bytes (413 past it) after checking its media type (415).
    func jsonBody(limit: Int, accepting mediaTypes: Set<String> = JSONMediaType.json) async throws -> ByteBuffer {
        let header = headers.value(.contentType)
        // `application/json` exactly, as nearly every client sends it, without splitting or
        // lower-casing; anything else is parsed in full.
        let plainJSON = header.map { $0.utf8.elementsEqual("application/json".utf8) } ?? false
        let mediaType = plainJSON ? "application/json" : header?.split(separator: ";").first.map { FieldValue.trimmed($0).lowercased() }
        guard let mediaType, mediaTypes.contains(mediaType) else {
            throw Problem(
                .unsupportedMediaType, code: "request.unsupported_media_type",
                detail: "Send the body as \(mediaTypes.sorted().joined(separator: " or ")).")
        }
        do {
            return try await body.collect(upTo: limit)
        } catch let error as HTTPError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            // The body stopped short or its framing was broken: the client's fault, not a 500.
            throw Problem.badRequest("The request body could not be read to its end.", code: "request.body_unreadable")
        }
    }

    /// Decodes a strict JSON object: malformed JSON or an unknown member is 400, a missing or
    /// mistyped member is 422 naming the field.
    func decodeStrict<T: StrictDecodable>(_ type: T.Type, limit: Int, accepting mediaTypes: Set<String> = JSONMediaType.json) async throws -> (T, ByteBuffer) {
        let buffer = try await jsonBody(limit: limit, accepting: mediaTypes)
        return (try StrictJSON.decode(type, from: buffer), buffer)
    }
}

enum StrictJSON {
    /// A plain body (`T.plain`) skips the decoder. Otherwise one decoding pass that also refuses
    /// unknown members; any failure is diagnosed again by `diagnose`, which finds the precise
    /// problem, so valid bodies, the common case, are parsed once.
    static func decode<T: StrictDecodable>(_ type: T.Type, from buffer: ByteBuffer) throws -> T {
        if let plain = buffer.withUnsafeReadableBytes(T.plain) { return plain }
        return try decoded(type, from: buffer)
    }

    /// The decoder's answer alone, without `T.plain`, and what it does not check (`JSONScan`):
    /// a repeated member name is 400 `request.malformed_json`, a number with a fraction or an
    /// exponent where the decoder took an integer is 422 "must be an integer".
    static func decoded<T: StrictDecodable>(_ type: T.Type, from buffer: ByteBuffer) throws -> T {
        let findings = buffer.withUnsafeReadableBytes(JSONScan.scan)
        if let name = findings?.repeated {
            throw Problem.badRequest(
                "The body names a member more than once.", code: "request.malformed_json",
                errors: [FieldError(field: name, message: "appears more than once")])
        }
        let data = Data(buffer.readableBytesView)
        let value: T
        do {
            value = try JSONCoding.decoder.decode(Checked<T>.self, from: data).value
        } catch {
            value = try diagnose(type, data)
        }
        if let nonIntegers = findings?.nonIntegers, !nonIntegers.isEmpty {
            throw Problem.validation(ValidationFailure(errors: nonIntegers.map { FieldError(field: $0, message: "must be an integer") }))
        }
        return value
    }

    /// `T`, decoded only if its JSON object has no member `T` does not know.
    private struct Checked<Value: StrictDecodable>: Decodable {
        struct UnknownMember: Error {}
        struct Name: CodingKey {
            let stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        let value: Value

        init(from decoder: any Decoder) throws {
            for key in try decoder.container(keyedBy: Name.self).allKeys where Value.CodingKeys(stringValue: key.stringValue) == nil {
                throw UnknownMember()
            }
            value = try Value(from: decoder)
        }
    }

    /// How many unknown members a 400 names.
    static let maxUnknownNamed = 20

    /// The slow path: the body as a JSON value first, then `T`, so each kind of failure gets
    /// its own answer.
    private static func diagnose<T: StrictDecodable>(_ type: T.Type, _ data: Data) throws -> T {
        let value: JSONValue
        do {
            value = try JSONCoding.decoder.decode(JSONValue.self, from: data)
        } catch {
            throw Problem.badRequest("The body is not valid JSON.", code: "request.malformed_json")
        }
        guard case .object(let members) = value else {
            throw Problem.badRequest("The body must be a JSON object.", code: "request.malformed_json")
        }
        let unknown = Set(members.keys).subtracting(T.memberNames).sorted()
        guard unknown.isEmpty else {
            // Named up to a point: a body of a hundred thousand names gets a short answer.
            let named = unknown.prefix(maxUnknownNamed)
            let more = unknown.count - named.count
            throw Problem.badRequest(
                "The body has members this operation does not accept\(more > 0 ? " (\(more) more not listed)" : "").",
                code: "request.unknown_field", errors: named.map { FieldError(field: $0, message: "unknown field") })
        }
        do {
            return try JSONCoding.decoder.decode(T.self, from: data)
        } catch let error as DecodingError {
            throw Problem.validation(ValidationFailure(errors: fieldErrors(error, members: members)))
        }
    }

    static func fieldErrors(_ error: DecodingError, members: [String: JSONValue]) -> [FieldError] {
        // Foundation reports a number that does not fit `Int` (12.5, 1e30) as corrupt data with
        // no path; every API number is an integer, so name the members holding such numbers.
        if case .dataCorrupted(let context) = error, context.codingPath.isEmpty {
            let fractional = members.filter { if case .double = $0.value { true } else { false } }.keys.sorted()
            if !fractional.isEmpty {
                return fractional.map { FieldError(field: $0, message: "must be an integer") }
            }
        }
        return [fieldError(error)]
    }

    static func fieldError(_ error: DecodingError) -> FieldError {
        func path(_ codingPath: [any CodingKey], _ key: (any CodingKey)? = nil) -> String {
            let keys = codingPath + (key.map { [$0] } ?? [])
            return keys.isEmpty ? "body" : keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return FieldError(field: path(context.codingPath, key), message: "is required")
        case .valueNotFound(let type, let context):
            return FieldError(field: path(context.codingPath), message: "must be \(describe(type)), not null")
        case .typeMismatch(let type, let context):
            return FieldError(field: path(context.codingPath), message: "must be \(describe(type))")
        case .dataCorrupted(let context):
            return FieldError(field: path(context.codingPath), message: "has an invalid value")
        @unknown default:
            return FieldError(field: "body", message: "is invalid")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: return "an integer"
        case is String.Type: return "a string"
        case is Bool.Type: return "a boolean"
        default: return "a valid value"
        }
    }
}
