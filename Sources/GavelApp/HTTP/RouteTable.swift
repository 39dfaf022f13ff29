import HTTPTypes
import Hummingbird
import Synchronization

/// The routes the application serves, by template. Routes are registered through
/// `RouterMethods.route(_:_:in:use:)` so this table and the router cannot disagree; it answers
/// which methods a path allows (405 + `Allow`) and lists the API for documentation checks.
public final class RouteTable: Sendable {
    private let entries = Mutex<[String: Set<HTTPRequest.Method>]>([:])

    public init() {}

    func add(_ method: HTTPRequest.Method, _ template: String) {
        entries.withLock { _ = $0[template, default: []].insert(method) }
    }

    /// Every registered (method, template) pair, sorted.
    public var routes: [(method: String, template: String)] {
        entries.withLock { entries in
            entries.flatMap { template, methods in methods.map { (method: $0.rawValue, template: template) } }
        }.sorted { ($0.template, $0.method) < ($1.template, $1.method) }
    }

    /// The methods allowed on a concrete path, or `nil` when no template matches it. HEAD comes
    /// with GET: the router answers it from the GET handler (`autoGenerateHeadEndpoints`).
    func allowedMethods(for path: String) -> Set<HTTPRequest.Method>? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        var allowed = entries.withLock { entries in
            var allowed: Set<HTTPRequest.Method>?
            for (template, methods) in entries where Self.matches(template, segments) {
                allowed = (allowed ?? []).union(methods)
            }
            return allowed
        }
        if allowed?.contains(.get) == true { allowed?.insert(.head) }
        return allowed
    }

    private static func matches(_ template: String, _ segments: [Substring]) -> Bool {
        let parts = template.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == segments.count else { return false }
        return zip(parts, segments).allSatisfy { part, segment in
            (part.hasPrefix("{") && part.hasSuffix("}") && !segment.isEmpty) || part == segment
        }
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
