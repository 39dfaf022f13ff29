import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A blocking TCP client for tests that need control a library client does not give: sending
/// a request in parts, or reading an endless event stream. Calls run on their own thread.
final class RawHTTPConnection: @unchecked Sendable {
    private let socketFD: Int32

    init(port: Int) throws {
        socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            Glibc.close(socketFD)
            throw POSIXError(.ECONNREFUSED)
        }
    }

    deinit { Glibc.close(socketFD) }

    func send(_ text: String) async throws {
        try await Self.onThread { [socketFD] in
            var bytes = Array(text.utf8)[...]
            while !bytes.isEmpty {
                let written = bytes.withUnsafeBytes { Glibc.send(socketFD, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard written > 0 else { throw POSIXError(.EPIPE) }
                bytes = bytes.dropFirst(written)
            }
        }
    }

    /// Reads until `done` accepts what arrived, the peer closes, or `timeout` passes.
    func read(timeout: Duration = .seconds(10), until done: @escaping @Sendable (String) -> Bool = { _ in false }) async throws -> String {
        try await Self.onThread { [socketFD] in
            var received: [UInt8] = []
            let deadline = ContinuousClock.now + timeout
            var buffer = [UInt8](repeating: 0, count: 4_096)
            while ContinuousClock.now < deadline {
                var descriptor = pollfd(fd: socketFD, events: Int16(POLLIN), revents: 0)
                guard poll(&descriptor, 1, 50) >= 0 else { break }
                guard descriptor.revents != 0 else { continue }
                let count = recv(socketFD, &buffer, buffer.count, 0)
                if count <= 0 { break }
                received += buffer[0..<count]
                if done(String(decoding: received, as: UTF8.self)) { break }
            }
            return String(decoding: received, as: UTF8.self)
        }
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { Glibc.close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
        }
    }
}
