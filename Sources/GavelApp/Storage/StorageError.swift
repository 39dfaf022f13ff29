/// Failures of the storage layer that callers act on. Anything else is unexpected.
public enum StorageError: Error, Equatable {
    /// No database slot came free within `database.acquire_timeout` (HTTP 503).
    case overloaded
    /// The process is shutting down and takes no new work (HTTP 503).
    case shuttingDown
}
