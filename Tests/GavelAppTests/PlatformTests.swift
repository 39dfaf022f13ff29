import Foundation
import GRDB
import GavelCore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import GavelApp

@Suite("HTTP platform")
struct PlatformTests {
    @Test("unknown routes are 404 problems")
    func unknownRoute() async throws {
        try await TestApp.withRouter { client in
            let response = try await client.execute(uri: "/nope", method: .get)
            #expect(response.status == .notFound)
            #expect(try response.problemCode() == "route.not_found")
        }
    }

    @Test("a known path with another method is 405 listing the allowed ones", arguments: [
        ("/api/v1/products", HTTPRequest.Method.delete, "GET, HEAD, POST"),
        ("/api/v1/products/0190f0e0-0000-7000-8000-000000000000", .post, "DELETE, GET, HEAD, PATCH, PUT"),
        ("/health", .post, "GET, HEAD"),
        ("/api/v1/identity/login", .head, "POST"),
    ])
    func methodNotAllowed(path: String, method: HTTPRequest.Method, allow: String) async throws {
        try await TestApp.withRouter { client in
            let response = try await client.execute(uri: path, method: method)
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers[.allow] == allow)
            #expect(try response.problemCode() == "request.method_not_allowed")
        }
    }

    @Test("HEAD answers every GET route with its status and headers and no body")
    func head() async throws {
        let seller = try await TestUser.make()
        try await TestApp.withRouter { client in
            let id = try #require(try await client.createProduct(seller, name: "Headed")["id"] as? String)
            for uri in ["/api/v1/products/\(id)", "/api/v1/products?page_size=5", "/health", "/openapi.yaml", "/"] {
                let get = try await client.execute(uri: uri, method: .get)
                let head = try await client.execute(uri: uri, method: .head)
                #expect(head.status == get.status, "\(uri)")
                #expect(head.body.readableBytes == 0, "\(uri)")
                #expect(head.headers[.contentLength] == String(get.body.readableBytes), "\(uri)")
                #expect(head.headers[.contentType] == get.headers[.contentType], "\(uri)")
                #expect(head.headers[.eTag] == get.headers[.eTag], "\(uri)")
            }
            let missing = try await client.execute(uri: "/api/v1/products/0190f0e0-0000-7000-8000-000000000000", method: .head)
            #expect(missing.status == .notFound)
            #expect(missing.body.readableBytes == 0)
            #expect(missing.headers[.contentType] == "application/problem+json")
        }
    }

    @Test("every response has a request id, echoing a sane one from the client")
    func requestID() async throws {
        try await TestApp.withRouter { client in
            let echoed = try await client.execute(uri: "/health", method: .get, headers: [.requestID: "abc-123"])
            #expect(echoed.headers[.requestID] == "abc-123")
            let replaced = try await client.execute(uri: "/health", method: .get, headers: [.requestID: "bad id\u{7}"])
            let generated = try #require(replaced.headers[.requestID])
            #expect(generated != "bad id\u{7}" && generated.count == 32)
            let problem = try await client.execute(uri: "/nope", method: .get)
            #expect(problem.headers[.requestID] != nil)
        }
    }

    @Test("security headers are on every response, errors included")
    func securityHeaders() async throws {
        try await TestApp.withRouter { client in
            for uri in ["/health", "/nope", "/api/v1/products/x"] {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.headers[.contentTypeOptions] == "nosniff")
                #expect(response.headers[.contentSecurityPolicy] != nil)
                #expect(response.headers[.server] == nil)
            }
        }
    }

    @Test("traceparent parsing accepts only valid version-00 headers", arguments: [
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "4bf92f3577b34da6a3ce929d0e0e4736"),
        ("00-00000000000000000000000000000000-00f067aa0ba902b7-01", nil),
        ("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", nil),
        ("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", nil),
        ("garbage", nil),
        (" \t00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01 ", "4bf92f3577b34da6a3ce929d0e0e4736"),
        ("00-４ｂｆ９２ｆ３５７７ｂ３４ｄａ６ａ３ｃｅ９２９ｄ０ｅ０ｅ４７３６-00f067aa0ba902b7-01", nil),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", nil),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g", nil),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736x00f067aa0ba902b7-01", nil),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-", nil),
    ])
    func traceparent(header: String, expected: String?) {
        #expect(RequestIdentityMiddleware.traceID(header) == expected)
    }

    @Test("header values are trimmed of spaces and tabs only, and prefixes compare without ASCII case")
    func fieldValues() {
        #expect(FieldValue.trimmed(" \t a b \t") == "a b")
        #expect(FieldValue.trimmed("") == "")
        #expect(FieldValue.trimmed(" \t ") == "")
        #expect(FieldValue.trimmed("\u{A0}x\n") == "\u{A0}x\n")
        #expect(FieldValue.trimmed(" é ") == "é")
        #expect(FieldValue.trimmed("ab"[...].dropFirst()) == "b")
        #expect(FieldValue.hasPrefix("BeArEr x", lowercased: "bearer "))
        #expect(FieldValue.hasPrefix("bearer", lowercased: "bearer"))
        #expect(!FieldValue.hasPrefix("beare", lowercased: "bearer"))
        #expect(!FieldValue.hasPrefix("bearér", lowercased: "bearer"))
        #expect(!FieldValue.hasPrefix("bearer", lowercased: "bearer "))
    }

    @Test("If-Match lists are read with blanks around tags and commas")
    func ifMatchLists() {
        #expect(EntityTag.ifMatch(nil, version: 3))
        #expect(EntityTag.ifMatch(" * ", version: 3))
        #expect(EntityTag.ifMatch("\t\"3\"", version: 3))
        #expect(EntityTag.ifMatch("\"1\" ,\t\"3\" ", version: 3))
        #expect(!EntityTag.ifMatch("\"1\", W/\"3\"", version: 3))
        #expect(!EntityTag.ifMatch("", version: 3))
        #expect(!EntityTag.ifMatch("3", version: 3))
    }

    @Test("generated ids are 32 lower-case hex digits and do not repeat")
    func generatedIDs() {
        let source = IdentifierSource()
        let ids = (0..<10_000).map { _ in source.next() }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.count == 32 && $0.allSatisfy { "0123456789abcdef".contains($0) } })
    }

    @Test("health and readiness answer 200")
    func operational() async throws {
        try await TestApp.withRouter { client in
            #expect(try await client.execute(uri: "/health", method: .get).status == .ok)
            let ready = try await client.execute(uri: "/ready", method: .get)
            #expect(ready.status == .ok)
            #expect(try ready.object()["status"] as? String == "ready")
        }
    }

    @Test("a handler slower than server.request_timeout is answered 503 with Retry-After; a self-timed one is left to answer it")
    func requestTimeout() async throws {
        let middleware = RequestLimitsMiddleware<AppRequestContext>(
            maxBodyBytes: 1024, timeout: .milliseconds(50), selfTimed: [RouteTemplate(.post, "/own/{id}")])
        let problems = ProblemMiddleware<AppRequestContext>(routes: RouteTable())
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: problems)
        router.add(middleware: middleware)
        router.post("/slow") { _, _ -> String in
            try await Task.sleep(for: .seconds(10))
            return "late"
        }
        // A self-timed route runs in the request's task with the deadline bound and is not
        // cancelled at it: cancelled, the sleep would throw and the answer be a 503. Answering
        // the deadline is the handler's own job.
        router.post("/own/:id") { _, _ -> String in
            guard RequestDeadline.due != nil, RequestDeadline.current == nil else { return "no deadline" }
            for _ in 0..<1_000 where (try? RequestDeadline.check()) != nil { try await Task.sleep(for: .milliseconds(10)) }
            return (try? RequestDeadline.check()) == nil ? "rang" : "quiet"
        }
        try await Application(router: router).test(.router) { client in
            let response = try await client.execute(uri: "/slow", method: .post)
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.retryAfter] != nil)
            #expect(try response.problemCode() == "request.timeout")
            let own = try await client.execute(uri: "/own/7", method: .post)
            #expect(own.status == .ok)
            #expect(own.text == "rang")
        }
    }

    @Test("a write waiting for the database writer is answered 503 at server.request_timeout and never runs")
    func writeTimeout() async throws {
        let bench = try await AuctionBench(environment: ["GAVEL_SERVER_REQUEST_TIMEOUT": "200ms"])
        let seller = try await TestUser.make()
        try await bench.run { client in
            let holder = await bench.holdWriter(for: 2)
            let start = ContinuousClock.now
            let response = try await client.post("/api/v1/products", json: #"{"name": "Held", "price": 1}"#, headers: seller.authorization)
            let waited = ContinuousClock.now - start
            #expect(response.status == .serviceUnavailable)
            #expect(try response.problemCode() == "request.timeout")
            #expect(waited < .milliseconds(1_800), "\(waited)")
            _ = try await holder.value
            // A 503 request.timeout means nothing was recorded: the queued write never ran.
            let list = try await client.execute(uri: "/api/v1/products", method: .get)
            #expect(try list.object()["total"] as? Int == 0)
            let retry = try await client.post("/api/v1/products", json: #"{"name": "Held", "price": 1}"#, headers: seller.authorization)
            #expect(retry.status == .created)
        }
    }

    @Test("a write already under way at server.request_timeout is answered by its commit, not 503")
    func writeUnderWay() async throws {
        let config = try await TestApp.config()
        let store = try Store.open(config.database, metrics: MetricsRegistry(enabled: false), logger: TestApp.logger)
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: ProblemMiddleware<AppRequestContext>(routes: RouteTable()))
        // The write starts at once (the writer is free) and outlasts the deadline by two seconds.
        router.add(middleware: RequestLimitsMiddleware<AppRequestContext>(maxBodyBytes: 1024, timeout: .seconds(1)))
        router.post("/slow-write") { _, _ -> String in
            let value = try await store.write("test.slow") { db in
                Thread.sleep(forTimeInterval: 3)
                return try Int.fetchOne(db, sql: "SELECT 42") ?? 0
            }
            return "written \(value)"
        }
        try await Application(router: router).test(.router) { client in
            let response = try await client.execute(uri: "/slow-write", method: .post)
            #expect(response.status == .ok)
            #expect(response.text == "written 42")
        }
    }

    @Test("route templates match a method and path segment by segment", arguments: [
        ("POST", "/api/v1/items/abc/bids", true),
        ("GET", "/api/v1/items/abc/bids", false),
        ("POST", "/api/v1/items//bids", false),
        ("POST", "/api/v1/items/abc/bids/", false),
        ("POST", "/api/v1/items/abc", false),
        ("POST", "/api/v1/items/abc/bidsx", false),
        ("POST", "api/v1/items/abc/bids", false),
        ("POST", "/api/v1/items/a/b/bids", false),
        ("POST", "", false),
        ("POST", "/", false),
        ("POST", "/api/v1/items/abc/bids/x", false),
    ])
    func routeTemplates(method: String, path: String, matches: Bool) {
        let template = RouteTemplate(.post, "/api/v1/items/{id}/bids")
        #expect(template.matches(HTTPRequest.Method(method)!, path) == matches)
    }

    @Test("route templates are recorded as in the OpenAPI document")
    func routeTable() async throws {
        let service = try await buildApplication(config: TestApp.config(), logger: TestApp.logger)
        let routes = service.routes.routes.map { "\($0.method) \($0.template)" }
        #expect(routes.contains("GET /api/v1/products/{id}"))
        #expect(routes.contains("PATCH /api/v1/products/{id}"))
        #expect(routes.contains("GET /api/v1/events/stream"))
    }
}

@Suite("Timestamps")
struct TimestampTests {
    // Foundation's own formatter drops a millisecond for some of these (59.999 → .998).
    @Test("timestamps are RFC 3339 UTC with exact milliseconds", arguments: [
        (0.0, "1970-01-01T00:00:00.000Z"), (0.001, "1970-01-01T00:00:00.001Z"), (59.999, "1970-01-01T00:00:59.999Z"),
        (951_782_400.5, "2000-02-29T00:00:00.500Z"), (1_800_000_000.123, "2027-01-15T08:00:00.123Z"),
        (4_102_444_799.999, "2099-12-31T23:59:59.999Z"), (-1.5, "1969-12-31T23:59:58.500Z"),
    ])
    func format(seconds: Double, expected: String) {
        #expect(Timestamp.format(Date(timeIntervalSince1970: seconds)) == expected)
    }

    @Test("the ends of the four-digit years, and dates beyond them written as those ends")
    func range() {
        #expect(Timestamp.format(Timestamp.date(millis: Timestamp.earliest)) == "0000-01-01T00:00:00.000Z")
        #expect(Timestamp.format(Timestamp.date(millis: Timestamp.latest)) == "9999-12-31T23:59:59.999Z")
        #expect(Timestamp.format(.distantFuture) == "4001-01-01T00:00:00.000Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1e12)) == "9999-12-31T23:59:59.999Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: -1e12)) == "0000-01-01T00:00:00.000Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: -62_135_596_800.25)) == "0000-12-31T23:59:59.750Z")
    }

    // Two centuries: past about 2200, a Date (seconds in a Double) no longer holds every
    // millisecond exactly, which no auction reaches (starts are at most a year ahead).
    @Test("formatting and strict parsing agree on every day of two centuries, at random times of day")
    func roundTrip() throws {
        var random = SplitMix64(seed: 0x7469_6D65)
        let start = RFC3339.millis("1900-01-01T00:00:00Z")!
        for day in 0..<73_049 {
            let millis = start + Int64(day) * 86_400_000 + Int64(random.next() % 86_400_000)
            let text = Timestamp.format(Timestamp.date(millis: millis))
            guard RFC3339.millis(text) == millis else {
                Issue.record("\(millis) wrote \(text), which reads back as \(String(describing: RFC3339.millis(text)))")
                return
            }
        }
        // And against Foundation's calendar, once a month.
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        for month in stride(from: 0, to: 4_800, by: 1) {
            let date = calendar.date(from: DateComponents(year: 1900 + month / 12, month: month % 12 + 1, day: 28, hour: 13, minute: 7, second: 9))!
            let parts = calendar.dateComponents([.year, .month, .day], from: date)
            let expected = String(format: "%04d-%02d-28T13:07:09.000Z", parts.year!, parts.month!)
            #expect(Timestamp.format(date) == expected)
        }
    }
}
