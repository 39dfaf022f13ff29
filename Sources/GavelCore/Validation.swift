/// One field that failed validation, reported in a problem's `errors` list.
public struct FieldError: Equatable, Sendable, Codable {
    public let field: String
    public let message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}

/// Raised by domain rules when input is well-formed but not acceptable (HTTP 422).
public struct ValidationFailure: Error, Equatable, Sendable {
    public let code: String
    public let errors: [FieldError]

    public init(code: String = "validation.failed", errors: [FieldError]) {
        self.code = code
        self.errors = errors
    }

    public init(field: String, _ message: String, code: String = "validation.failed") {
        self.init(code: code, errors: [FieldError(field: field, message: message)])
    }
}

/// Collects field errors so a client learns about every problem in one response.
public struct Validator: Sendable {
    public private(set) var errors: [FieldError] = []

    public init() {}

    public mutating func check(_ condition: Bool, _ field: String, _ message: @autoclosure () -> String) {
        if !condition { errors.append(FieldError(field: field, message: message())) }
    }

    public mutating func fail(_ field: String, _ message: String) {
        errors.append(FieldError(field: field, message: message))
    }

    public func finish() throws(ValidationFailure) {
        if !errors.isEmpty { throw ValidationFailure(errors: errors) }
    }
}
