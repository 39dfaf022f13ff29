import Foundation

/// Shared, configured coders. Encoders and decoders are safe to share once configured.
enum JSONCoding {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        // Sorted keys make output deterministic: without them swift-foundation emits keys in a
        // different order on each call, and equal answers would differ byte for byte.
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static let decoder = JSONDecoder()

    static func encode(_ value: some Encodable) throws -> [UInt8] {
        Array(try encoder.encode(value))
    }
}
