/// A configuration error: the key at fault and what is wrong with it. `gavel` prints
/// `description` as its one line before exiting with code 2.
public struct ConfigProblem: Error, Equatable, CustomStringConvertible {
    public let key: String
    public let problem: String

    public init(key: String, _ problem: String) {
        self.key = key
        self.problem = problem
    }

    public var description: String { "configuration error: \(key): \(problem)" }
}
