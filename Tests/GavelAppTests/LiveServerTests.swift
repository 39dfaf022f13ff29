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
        for _ in 0..<100 {
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
