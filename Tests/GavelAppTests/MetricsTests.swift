import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
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

    @Test("with metrics disabled there is no /metrics route")
    func disabled() async throws {
        let config = try await TestApp.config(environment: ["GAVEL_METRICS_ENABLED": "false"])
        try await TestApp.withRouter(config, metrics: MetricsRegistry(enabled: false)) { client in
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .notFound)
        }
    }
}
