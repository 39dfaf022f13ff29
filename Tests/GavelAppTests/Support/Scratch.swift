import Foundation

/// Where tests write files (databases, configuration files): one directory per test process,
/// removed when the process exits, so a run leaves nothing behind in the temporary directory.
/// A test process that crashes leaves its directory for the post-mortem.
enum Scratch {
    static let directory: URL = {
        let name = "gavel-tests-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))"
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(name, isDirectory: true)
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: Scratch.directory) }
        return url
    }()

    /// A fresh path under the directory; `name` is its last component, in a directory of its own.
    static func path(_ name: String) -> String {
        directory.appendingPathComponent(UUID().uuidString, isDirectory: true).appendingPathComponent(name).path
    }
}
