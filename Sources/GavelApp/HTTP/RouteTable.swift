import HTTPTypes
import Hummingbird
import Synchronization

/// The routes the application serves, by template. Routes are registered through
/// `RouterMethods.route(_:_:in:use:)` so this table and the router cannot disagree; it answers
/// which methods a path allows (405 + `Allow`) and lists the API for documentation checks.
public final class RouteTable: Sendable {
    private let entries = Mutex<[String: (path: PathTemplate, methods: Set<HTTPRequest.Method>)]>([:])

    public init() {}

    func add(_ method: HTTPRequest.Method, _ template: String) {
        entries.withLock { entries in
            _ = entries[template, default: (PathTemplate(template), [])].methods.insert(method)
        }
    }

    /// Every registered (method, template) pair, sorted.
    public var routes: [(method: String, template: String)] {
        entries.withLock { entries in
            entries.flatMap { template, entry in entry.methods.map { (method: $0.rawValue, template: template) } }
        }.sorted { ($0.template, $0.method) < ($1.template, $1.method) }
    }

    /// The methods allowed on a concrete path, or `nil` when no template matches it. HEAD comes
    /// with GET: the router answers it from the GET handler (`autoGenerateHeadEndpoints`).
    func allowedMethods(for path: String) -> Set<HTTPRequest.Method>? {
        var allowed = entries.withLock { entries in
            var allowed: Set<HTTPRequest.Method>?
            for entry in entries.values where entry.path.matches(path) {
                allowed = (allowed ?? []).union(entry.methods)
            }
            return allowed
        }
        if allowed?.contains(.get) == true { allowed?.insert(.head) }
        return allowed
    }

}

/// A path template as the OpenAPI document writes it (`/api/v1/items/{id}/bids`), matched against
/// a request's path segment by segment: a `{parameter}` matches any non-empty segment.
struct PathTemplate: Sendable {
    /// The template's segments; nil for a parameter.
    private let segments: [String?]

    init(_ template: String) {
        segments = template.split(separator: "/", omittingEmptySubsequences: false).map { part in
            part.hasPrefix("{") && part.hasSuffix("}") ? nil : String(part)
        }
    }

    /// Walks the path once, allocating nothing: every write request is checked against the
    /// self-timed templates, and every 404 and 405 against the whole table.
    func matches(_ path: String) -> Bool {
        let bytes = path.utf8
        var start = bytes.startIndex
        for (position, literal) in segments.enumerated() {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "/")) ?? bytes.endIndex
            let segment = bytes[start..<end]
            if let literal {
                guard segment.elementsEqual(literal.utf8) else { return false }
            } else if segment.isEmpty {
                return false
            }
            if position == segments.count - 1 { return end == bytes.endIndex }
            guard end != bytes.endIndex else { return false }
            start = bytes.index(after: end)
        }
        return false
    }
}

extension RouterMethods {
    /// Registers a route and records it in `table`. `template` is written as in the OpenAPI
    /// document (`/api/v1/products/{id}`), the form metrics use for the `route` label.
    @discardableResult
    func route(
        _ method: HTTPRequest.Method, _ template: String, in table: RouteTable,
        use handler: @Sendable @escaping (Request, Context) async throws -> some ResponseGenerator
    ) -> Self {
        table.add(method, template)
        let path = template.split(separator: "/").map { part in
            part.hasPrefix("{") && part.hasSuffix("}") ? ":" + part.dropFirst().dropLast() : String(part)
        }.joined(separator: "/")
        return on(RouterPath("/" + path), method: method, use: handler)
    }
}
