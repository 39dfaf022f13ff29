import Foundation
import GavelCore
import NIOCore
import Synchronization

/// Encoded JSON of products by id and version. A version never changes once written, so an
/// entry is exact for as long as its version is current; no expiry is involved.
final class RepresentationCache: Sendable {
    private let entries = Mutex<[UUID: (version: Int, json: ByteBuffer)]>([:])
    private let capacity: Int

    init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    func json(_ product: Product) -> ByteBuffer {
        if let hit = entries.withLock({ $0[product.id] }), hit.version == product.version {
            return hit.json
        }
        let json = ByteBuffer(bytes: ProductRepresentation.json(product))
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[product.id] = (product.version, json)
        }
        return json
    }

    func forget(_ id: UUID) {
        _ = entries.withLock { $0.removeValue(forKey: id) }
    }

    /// `{"data": [...], "page", "page_size", "total"}` assembled from cached item bodies.
    func page(_ items: [Product], page: PageRequest, total: Int) -> ByteBuffer {
        let bodies = items.map(json)
        var buffer = ByteBuffer()
        buffer.reserveCapacity(bodies.reduce(64) { $0 + $1.readableBytes + 1 })
        buffer.writeString("{\"data\":[")
        for (index, body) in bodies.enumerated() {
            if index > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
            buffer.writeImmutableBuffer(body)
        }
        buffer.writeString("],\"page\":\(page.page),\"page_size\":\(page.size),\"total\":\(total)}")
        return buffer
    }
}
