import Crypto
import GavelCore
import Synchronization

/// HMAC-SHA1 from swift-crypto, the function the app injects into `TOTP`.
let hmacSHA1: TOTP.HMAC = { key, message in
    Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: key)))
}

/// A fully deterministic generator, so random-driven tests repeat exactly.
typealias SeededGenerator = SplitMix64

/// Counts how often an injected function runs; shareable across concurrency domains.
final class CallCounter: Sendable {
    private let count = Mutex(0)

    var value: Int { count.withLock { $0 } }
    func increment() { count.withLock { $0 += 1 } }
    func reset() { count.withLock { $0 = 0 } }
}
