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

    /// A fresh path under the directory, in a new directory of its own; `name` is its last
    /// component. Nothing exists at the path yet.
    static func path(_ name: String) -> String {
        let parent = directory.appendingPathComponent(UUID().uuidString, isDirectory: true)
        try! FileManager.default.createDirectory(at: parent, withIntermediateDirectories: false)
        return parent.appendingPathComponent(name).path
    }
}
