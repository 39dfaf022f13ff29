import Logging
import Synchronization

/// A log handler that keeps every record, for tests that check what gets logged.
final class LogCapture: Sendable {
    struct Record: Sendable {
        let message: String
        let metadata: Logger.Metadata
    }

    private let records = Mutex<[Record]>([])

    var all: [Record] { records.withLock { $0 } }

    /// A logger at `info` that writes into this capture.
    var logger: Logger {
        var logger = Logger(label: "capture") { _ in Handler(capture: self) }
        logger.logLevel = .info
        return logger
    }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.records.withLock { $0.append(Record(message: "\(event.message)", metadata: merged)) }
        }
    }
}
