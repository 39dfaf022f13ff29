import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import GavelCore
import Testing

@testable import GavelApp

@Suite("Metrics endpoint")
struct MetricsTests {
    /// `# TYPE` lines of the exposition, by metric name.
    func types(_ text: String) -> [String: String] {
        var types: [String: String] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("# TYPE ") {
            let parts = line.split(separator: " ")
            types[String(parts[2])] = String(parts[3])
        }
        return types
    }

    @Test("the request log line names the caller of an authenticated request, and no one for an anonymous one")
    func requestLogNamesCaller() async throws {
        let capture = LogCapture()
        let seller = try await TestUser.make()
        let service = try await buildApplication(config: try await TestApp.config(), logger: capture.logger)
        try await service.application.test(.router) { client in
            _ = try await client.createProduct(seller)
            _ = try await client.execute(uri: "/api/v1/products", method: .get)
        }
        let lines = capture.all.filter { $0.message == "request" }
        let routes = lines.map { line in line.metadata["route"].map { "\($0)" } ?? "" }
        #expect(routes == ["/api/v1/products", "/api/v1/products"])
        #expect(lines.first?.metadata["user_id"].map { "\($0)" } == seller.id.text)
        #expect(lines.last?.metadata["user_id"] == nil)
    }

    @Test("a scrape exposes the SPEC §7 HTTP, storage, process and build metrics with their types and labels")
    func scrape() async throws {
        let seller = try await TestUser.make()
        try await TestApp.withRouter { client in
            let id = try #require(try await client.createProduct(seller)["id"] as? String)
            _ = try await client.execute(uri: "/api/v1/products/\(id)", method: .get)
            _ = try await client.execute(uri: "/no/such/route", method: .get)
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = response.text
            let types = types(text)
            let expected: [String: String] = [
                "gavel_http_requests_total": "counter", "gavel_http_request_duration_seconds": "histogram",
                "gavel_http_requests_in_flight": "gauge", "gavel_db_semaphore_in_use": "gauge",
                "gavel_db_semaphore_wait_seconds": "histogram", "gavel_db_operation_duration_seconds": "histogram",
                "process_resident_memory_bytes": "gauge", "process_cpu_seconds_total": "counter",
                "process_open_fds": "gauge", "process_start_time_seconds": "gauge", "gavel_build_info": "gauge",
            ]
            for (name, type) in expected {
                #expect(types[name] == type, "\(name)")
            }
            #expect(text.contains(#"gavel_http_requests_total{method="GET",route="/api/v1/products/{id}",status="200"} 1"#))
            #expect(text.contains(#"gavel_http_requests_total{method="POST",route="/api/v1/products",status="201"} 1"#))
            #expect(text.contains(#"gavel_http_requests_total{method="GET",route="unmatched",status="404"} 1"#))
            #expect(text.contains(#"gavel_http_request_duration_seconds_count{method="GET",route="/api/v1/products/{id}"} 1"#))
            #expect(text.contains(#"gavel_db_operation_duration_seconds_count{operation="product.create"} 1"#))
            #expect(text.contains(#"gavel_build_info{version="\#(GavelVersion.current)"} 1"#))
            #expect(!text.contains(id), "raw paths must never become labels")
            let rss = text.split(separator: "\n").first { $0.hasPrefix("process_resident_memory_bytes ") }
            let bytes = try #require(rss.flatMap { Double($0.split(separator: " ")[1]) })
            #expect(bytes > 1_000_000)
        }
    }

    @Test("bid queue depth falls back to 0 once bids commit; capacity, rejection codes and events exist from the start")
    func bidSeries() async throws {
        let bench = try await AuctionBench()
        let seller = try await TestUser.make(), bidder = try await TestUser.make()
        try await bench.run { client in
            let before = try await client.execute(uri: "/metrics", method: .get).text
            for code in BidRejection.allCases {
                #expect(before.contains("gavel_bid_rejections_total{code=\"\(code.code)\"} 0"), "\(code)")
            }
            for event in Outbox.eventNames {
                #expect(before.contains("gavel_events_total{event=\"\(event)\"} 0"), "\(event)")
            }
            let capacity = before.split(separator: "\n").first { $0.hasPrefix("gavel_bid_queue_capacity ") }
            // 10,000 split evenly over one worker per core.
            let workers = Double(ProcessInfo.processInfo.activeProcessorCount)
            #expect(capacity.flatMap { Double($0.split(separator: " ")[1]) } == (10_000 / workers).rounded(.down) * workers)
            let id = try await client.listItem(seller, bench: bench)
            for step in 0..<5 {
                #expect(try await client.bid(bidder, on: id, amount: 2_000 + step * 500).status == .created)
            }
            let after = try await client.execute(uri: "/metrics", method: .get).text
            let depth = after.split(separator: "\n").first { $0.hasPrefix("gavel_bid_queue_depth ") }
            #expect(depth.flatMap { Double($0.split(separator: " ")[1]) } == 0)
            #expect(after.contains("gavel_bids_total{outcome=\"accepted\"} 5"))
        }
    }

    @Test("with metrics disabled there is no /metrics route")
    func disabled() async throws {
        let config = try await TestApp.config(environment: ["GAVEL_METRICS_ENABLED": "false"])
        try await TestApp.withRouter(config, metrics: MetricsRegistry(enabled: false)) { client in
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .notFound)
        }
    }
}
