import HummingbirdBcrypt
import NIOPosix

/// bcrypt, run on NIO's blocking thread pool so hashing never occupies the cooperative pool
/// that serves every other request. At most one hash per core runs at once and a bounded
/// number wait; past that callers get `StorageError.overloaded` (503) instead of a queue that
/// grows without end.
struct PasswordHasher: Sendable {
    let cost: Int
    let gate: AdmissionGate
    /// Checked when the email is unknown, so that answer takes as long as a wrong password.
    private let dummyHash: String

    init(cost: Int, concurrency: Int, maxWaiting: Int = 64) {
        self.cost = cost
        self.gate = AdmissionGate(limit: concurrency, acquireTimeout: .seconds(10), maxWaiters: maxWaiting)
        self.dummyHash = Bcrypt.hash("gavel dummy password for unknown accounts", cost: UInt8(cost))
    }

    func hash(_ password: String) async throws -> String {
        try await gate.withSlot("bcrypt.hash") {
            try await NIOThreadPool.singleton.runIfActive { [cost] in Bcrypt.hash(password, cost: UInt8(cost)) }
        }
    }

    /// Verifies against `hash`, or against the dummy hash when there is no account.
    func verify(_ password: String, against hash: String?) async throws -> Bool {
        let target = hash ?? dummyHash
        let matches = try await gate.withSlot("bcrypt.verify") {
            try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: target) }
        }
        return matches && hash != nil
    }

    /// True when `hash` was made with another cost than the configured one.
    func needsRehash(_ hash: String) -> Bool {
        // Modular crypt format: $2b$<cost>$<salt and hash>
        let parts = hash.split(separator: "$")
        return parts.count < 3 || Int(parts[1]) != cost
    }
}
