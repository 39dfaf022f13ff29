import Foundation

/// The public shape of an outbox event (SPEC §5 "Events").
struct EventEnvelope: Encodable {
    let seq: Int64
    let id: String
    let event: String
    let version: String
    let timestamp: String
    let traceID: String
    let correlationID: String
    let source = "gavel"
    let payload: JSONValue

    enum CodingKeys: String, CodingKey {
        case seq, id, event, version, timestamp, source, payload
        case traceID = "trace_id", correlationID = "correlation_id"
    }

    init(_ stored: StoredEvent) {
        seq = stored.seq
        id = stored.id
        event = stored.name
        version = stored.version
        timestamp = Timestamp.format(stored.timestamp)
        traceID = stored.traceID
        correlationID = stored.correlationID
        payload = (try? JSONCoding.decoder.decode(JSONValue.self, from: Data(stored.payload.utf8))) ?? .null
    }
}
