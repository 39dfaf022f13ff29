import Foundation
import HTTPTypes
import Hummingbird
import ServiceLifecycle
import Synchronization
import Testing

@testable import GavelApp

/// Tests against a real listening server: streaming and shutdown need sockets.
@Suite("Live server", .serialized)
struct LiveServerTests {
    struct Running {
        let port: Int
        let group: ServiceGroup
        let task: Task<Void, any Error>
    }

    func start(database: String = ":memory:") async throws -> Running {
        let port = try RawHTTPConnection.freePort()
        let config = try await TestApp.config(database: database, environment: ["GAVEL_SERVER_PORT": "\(port)"])
        let service = try await buildApplication(config: config, logger: TestApp.logger)
        let group = service.serviceGroup(signals: [])
        let task = Task { try await group.run() }
        // Up to 10 s: with the whole suite running in parallel on two cores, start-up can take
        // longer than the 2 s this waited before, and the test then failed connecting.
        for _ in 0..<500 {
            if (try? RawHTTPConnection(port: port)) != nil { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        return Running(port: port, group: group, task: task)
    }

    func request(_ method: String, _ path: String, body: String = "", headers: [String] = []) -> String {
        var lines = ["\(method) \(path) HTTP/1.1", "Host: localhost", "Connection: close"] + headers
        if !body.isEmpty { lines += ["Content-Type: application/json", "Content-Length: \(body.utf8.count)"] }
        return lines.joined(separator: "\r\n") + "\r\n\r\n" + body
    }

    @Test("a body whose chunked framing breaks is 400 request.body_unreadable, not a 500")
    func brokenBody() async throws {
        let server = try await start()
        let seller = try await TestUser.make()
        let connection = try RawHTTPConnection(port: server.port)
        try await connection.send(
            ["POST /api/v1/products HTTP/1.1", "Host: localhost", "Content-Type: application/json", "Transfer-Encoding: chunked",
             "Authorization: Bearer \(seller.token)"].joined(separator: "\r\n") + "\r\n\r\n5\r\n{\"na\r\nZZZ\r\n")
        let answer = try await connection.read { $0.contains("}") }
        #expect(answer.hasPrefix("HTTP/1.1 400"), "\(answer)")
        #expect(answer.contains("request.body_unreadable"))
        let metrics = try RawHTTPConnection(port: server.port)
        try await metrics.send(request("GET", "/metrics"))
        let text = try await metrics.read { $0.contains("gavel_build_info") }
        #expect(!text.contains(#"status="500"} 1"#))
        await server.group.triggerGracefulShutdown()
        try await server.task.value
    }

    @Test("the event stream sends stored events as SSE frames, then live ones, resuming after Last-Event-ID")
    func eventStream() async throws {
        let server = try await start()
        let seller = try await TestUser.make()
        let auth = "Authorization: Bearer \(seller.token)"
        for name in ["One", "Two"] {
            let create = try RawHTTPConnection(port: server.port)
            try await create.send(request("POST", "/api/v1/products", body: #"{"name": "\#(name)", "price": 5}"#, headers: [auth]))
            #expect(try await create.read().hasPrefix("HTTP/1.1 201"))
        }
        let stream = try RawHTTPConnection(port: server.port)
        try await stream.send(request("GET", "/api/v1/events/stream", headers: ["Last-Event-ID: 1"]))
        let resumed = try await stream.read { $0.contains("id: 2\n") }
        #expect(resumed.contains("content-type: text/event-stream") || resumed.contains("Content-Type: text/event-stream"))
        #expect(!resumed.contains("id: 1\n"))
        #expect(resumed.contains("event: product.created\ndata: {"))

        let create = try RawHTTPConnection(port: server.port)
        try await create.send(request("POST", "/api/v1/products", body: #"{"name": "Three", "price": 5}"#, headers: [auth]))
        _ = try await create.read()
        let live = try await stream.read { $0.contains("id: 3\n") }
        #expect(live.contains("id: 3\nevent: product.created"))

        await server.group.triggerGracefulShutdown()
        try await server.task.value
    }

    @Test("an item's stream replays only that item's events after Last-Event-ID, after a restart too, then live ones")
    func itemStreamAfterRestart() async throws {
        let path = StorageTests.temporaryDatabase()
        let seller = try await TestUser.make()
        let bidder = try await TestUser.make()
        func post(_ server: Running, _ path: String, _ body: String, as user: TestUser) async throws -> String {
            let connection = try RawHTTPConnection(port: server.port)
            try await connection.send(request("POST", path, body: body, headers: ["Authorization: Bearer \(user.token)"]))
            let response = try await connection.read()
            #expect(response.hasPrefix("HTTP/1.1 201"), "\(response)")
            return response
        }
        var server = try await start(database: path)
        let ends = Timestamp.format(Date().addingTimeInterval(3_600))
        let created = try await post(server, "/api/v1/items", #"{"name": "Lamp", "start_price": 100, "ends_at": "\#(ends)"}"#, as: seller)
        let id = try #require(created.firstRange(of: #/"id":"([0-9a-f-]{36})"/#).map { String(created[$0].dropFirst(6).prefix(36)) })
        _ = try await post(server, "/api/v1/products", #"{"name": "Other subject", "price": 5}"#, as: seller)
        _ = try await post(server, "/api/v1/items/\(id)/bids", #"{"amount": 100}"#, as: bidder)
        _ = try await post(server, "/api/v1/products", #"{"name": "Another", "price": 5}"#, as: seller)
        _ = try await post(server, "/api/v1/items/\(id)/bids", #"{"amount": 200}"#, as: bidder)
        await server.group.triggerGracefulShutdown()
        try await server.task.value

        // Events: 1 item.created, 2 product.created, 3 bid.placed, 4 product.created, 5 bid.placed.
        server = try await start(database: path)
        let stream = try RawHTTPConnection(port: server.port)
        try await stream.send(request("GET", "/api/v1/items/\(id)/events", headers: ["Last-Event-ID: 1"]))
        let replayed = try await stream.read { $0.contains("id: 5\n") }
        #expect(replayed.contains("id: 3\nevent: bid.placed"))
        #expect(!replayed.contains("id: 1\n") && !replayed.contains("id: 2\n") && !replayed.contains("id: 4\n"))
        _ = try await post(server, "/api/v1/products", #"{"name": "Third", "price": 5}"#, as: seller)
        _ = try await post(server, "/api/v1/items/\(id)/bids", #"{"amount": 300}"#, as: bidder)
        let live = try await stream.read { $0.contains("id: 7\n") }
        #expect(live.contains("id: 7\nevent: bid.placed"))
        #expect(!live.contains("id: 6\n"))
        await server.group.triggerGracefulShutdown()
        try await server.task.value
    }

    @Test("a HEAD response ends after its header on the wire, streams included, and the connection serves the next request")
    func headOnTheWire() async throws {
        let server = try await start()
        let connection = try RawHTTPConnection(port: server.port)
        let pipelined = [
            "/health", "/api/v1/events/stream?after=0", "/api/v1/products/0190f0e0-0000-7000-8000-000000000000",
            "/api/v1/identity/login",
        ]
            .map { "HEAD \($0) HTTP/1.1\r\nHost: localhost\r\n\r\n" }.joined()
        try await connection.send(pipelined + request("GET", "/health"))
        let received = try await connection.read { $0.components(separatedBy: "HTTP/1.1 ").count > 5 && $0.hasSuffix(#"{"status":"ok"}"#) }
        let responses = received.components(separatedBy: "HTTP/1.1 ").dropFirst().map { String($0) }
        #expect(responses.count == 5, "\(received)")
        guard responses.count == 5 else { return }
        // Each HEAD response is a status line and headers with nothing after the blank line, the
        // problem answers (404 from a handler, 405 from the router) included.
        for response in responses.prefix(4) { #expect(response.hasSuffix("\r\n\r\n"), "\(response)") }
        #expect(responses[0].hasPrefix("200") && responses[1].hasPrefix("200") && responses[2].hasPrefix("404"))
        #expect(responses[1].lowercased().contains("content-type: text/event-stream"))
        #expect(responses[3].hasPrefix("405") && responses[3].lowercased().contains("allow: post\r\n"))
        #expect(responses[4].hasPrefix("200") && responses[4].hasSuffix("\r\n\r\n" + #"{"status":"ok"}"#), "\(responses[4])")
        await server.group.triggerGracefulShutdown()
        try await server.task.value
    }

    @Test("graceful shutdown finishes a request in flight and ends open streams, then stops")
    func gracefulShutdown() async throws {
        let server = try await start()
        let seller = try await TestUser.make()
        let stream = try RawHTTPConnection(port: server.port)
        try await stream.send(request("GET", "/api/v1/events/stream?after=0"))
        _ = try await stream.read { $0.contains("retry:") }

        let body = #"{"name": "Last order", "price": 42}"#
        let slow = try RawHTTPConnection(port: server.port)
        let head = request("POST", "/api/v1/products", body: body, headers: ["Authorization: Bearer \(seller.token)"])
        let split = head.index(head.endIndex, offsetBy: -10)
        try await slow.send(String(head[..<split]))
        try await Task.sleep(for: .milliseconds(100))

        await server.group.triggerGracefulShutdown()
        try await Task.sleep(for: .milliseconds(100))
        try await slow.send(String(head[split...]))
        let response = try await slow.read()
        #expect(response.hasPrefix("HTTP/1.1 201"), "\(response)")

        let ended = try await stream.read(timeout: .seconds(5))
        #expect(ended.isEmpty || ended.hasSuffix("\r\n\r\n") || ended.contains("0\r\n\r\n"))
        try await server.task.value
        #expect((try? RawHTTPConnection(port: server.port)) == nil, "the listener is closed after shutdown")
    }

    @Test("a taken port fails start-up promptly with an error instead of hanging")
    func portTaken() async throws {
        let first = try await start()
        let config = try await TestApp.config(environment: ["GAVEL_SERVER_PORT": "\(first.port)"])
        let second = try await buildApplication(config: config, logger: TestApp.logger)
        let outcome = Mutex<String?>(nil)
        let group = second.serviceGroup(signals: [])
        // Not awaited directly: if start-up hangs, the test must fail, not hang with it.
        Task {
            do {
                try await group.run()
                outcome.withLock { $0 = "returned" }
            } catch {
                outcome.withLock { $0 = "threw" }
            }
        }
        for _ in 0..<250 where outcome.withLock({ $0 }) == nil {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(outcome.withLock { $0 } == "threw")
        await first.group.triggerGracefulShutdown()
        try await first.task.value
    }
}
