import Foundation
import GavelCore
import Hummingbird
import NIOCore

/// `/api/v1/events`: the durable outbox as a paged feed and as a resumable SSE stream.
struct EventController: Sendable {
    let store: Store
    /// How long a quiet stream waits before sending a keep-alive comment.
    let heartbeat: Duration

    static let maxLimit = 1_000

    func addRoutes(to router: Router<AppRequestContext>, table: RouteTable) {
        router.route(.get, "/api/v1/events", in: table, use: feed)
        router.route(.get, "/api/v1/events/stream", in: table, use: stream)
    }

    struct Page: Encodable {
        let data: [EventEnvelope]
        let nextAfter: Int64
        enum CodingKeys: String, CodingKey { case data, nextAfter = "next_after" }
    }

    @Sendable func feed(_ request: Request, context: AppRequestContext) async throws -> Response {
        let after = try Self.sequence(request.uri.formParameters["after"], field: "after") ?? 0
        let limit = try Self.limit(request.uri.formParameters["limit"])
        let events = try await store.read("event.list") { db in try Outbox.read(after: after, limit: limit, in: db) }
        let page = Page(data: events.map(EventEnvelope.init), nextAfter: events.last?.seq ?? after)
        return Response.json(ByteBuffer(bytes: try JSONCoding.encode(page)))
    }

    @Sendable func stream(_ request: Request, context: AppRequestContext) async throws -> Response {
        Self.stream(store: store, start: try Self.start(request), subject: nil, heartbeat: heartbeat)
    }

    /// Where a stream starts: after `Last-Event-ID` (a reconnecting browser), else `after`,
    /// else at the current end of the feed (live events only).
    static func start(_ request: Request) throws -> Int64? {
        try sequence(request.headers[.lastEventID].map { Substring($0) }, field: "Last-Event-ID")
            ?? sequence(request.uri.formParameters["after"], field: "after")
    }

    /// Outbox events after `start` (or from now), optionally only those about `subject`.
    static func stream(store: Store, start: Int64?, subject: UUID?, heartbeat: Duration) -> Response {
        let start = start ?? store.feed.lastSeq
        return sse { writer in
            var cursor = start
            while !Task.isCancelled && !store.feed.isClosed {
                let after = cursor
                // Everything up to `published` is committed, so a short page has seen all of it,
                // including other subjects' events a filtered stream skips.
                let published = store.feed.lastSeq
                var events: [StoredEvent] = []
                if let subject {
                    // A subject's events are known without the database; read only when there are some.
                    let seqs = store.feed.seqs(of: subject, after: after, limit: 100)
                    if !seqs.isEmpty { events = try await store.read("event.stream") { db in try Outbox.read(seqs: seqs, in: db) } }
                } else {
                    events = try await store.read("event.stream") { db in try Outbox.read(after: after, limit: 100, in: db) }
                }
                for event in events {
                    try await writer.write(Self.frame(event))
                    cursor = event.seq
                }
                if events.count < 100 {
                    cursor = max(cursor, published)
                    if await !store.feed.wait(after: cursor, about: subject, timeout: heartbeat) && !store.feed.isClosed {
                        try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    }
                }
            }
        }
    }

    static func frame(_ event: StoredEvent) throws -> ByteBuffer {
        var buffer = ByteBuffer(string: "id: \(event.seq)\nevent: \(event.name)\ndata: ")
        buffer.writeBytes(try JSONCoding.encode(EventEnvelope(event)))
        buffer.writeString("\n\n")
        return buffer
    }

    static func sequence(_ text: Substring?, field: String) throws -> Int64? {
        guard let text, !text.isEmpty else { return nil }
        guard let value = Int64(text), value >= 0 else {
            throw Problem.invalidParameters(ValidationFailure(field: field, "must be a non-negative integer"))
        }
        return value
    }

    static func limit(_ text: Substring?) throws -> Int {
        guard let text, !text.isEmpty else { return 100 }
        guard let value = Int(text), (1...maxLimit).contains(value) else {
            throw Problem.invalidParameters(ValidationFailure(field: "limit", "must be between 1 and \(maxLimit)"))
        }
        return value
    }
}

/// A `text/event-stream` response whose body `produce` writes until it returns. Producers end
/// when the event feed closes at the start of shutdown, so streams never hold up a drain.
func sse(_ produce: @escaping @Sendable (inout any ResponseBodyWriter) async throws -> Void) -> Response {
    Response(
        status: .ok,
        headers: [.contentType: "text/event-stream", .cacheControl: "no-store"],
        body: ResponseBody { writer in
            try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
            do {
                try await produce(&writer)
            } catch is CancellationError {
                // The client left: end the stream quietly.
            }
            try await writer.finish(nil)
        })
}
