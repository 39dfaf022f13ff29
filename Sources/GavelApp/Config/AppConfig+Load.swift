import Configuration
import Foundation
import GavelCore
import Logging
import SystemPackage
import Yams

extension AppConfig {
    /// Loads the configuration with the documented precedence:
    /// command-line overrides > `GAVEL_*` environment > YAML file > built-in defaults.
    ///
    /// - Parameters:
    ///   - file: the YAML file; `nil` reads none (tests).
    ///   - environment: the process environment; only `GAVEL_*` variables are considered.
    ///   - overrides: values from command-line flags, by key (`server.port`).
    public static func load(
        file: String?, environment: [String: String] = [:], overrides: [String: String] = [:]
    ) async throws(ConfigProblem) -> AppConfig {
        var providers: [any ConfigProvider] = []
        providers.append(EnvironmentVariablesProvider(environmentVariables: try providerValues(overrides: overrides)))
        providers.append(
            EnvironmentVariablesProvider(
                environmentVariables: try providerValues(environment: environment),
                secretsSpecifier: .specific(["AUTH_JWT_SECRET"])))
        if let file {
            try checkYAMLKeys(file: file)
            do {
                providers.append(try await FileProvider<YAMLSnapshot>(filePath: FilePath(file)))
            } catch {
                throw ConfigProblem(key: file, "cannot be read as YAML configuration (\(error))")
            }
        }
        providers.append(InMemoryProvider(name: "defaults", values: ConfigSchema.defaults))
        return try AppConfig(reader: TypedConfigReader(ConfigReader(providers: providers)))
    }

    /// Command-line overrides by key, renamed for the environment-style provider.
    static func providerValues(overrides: [String: String]) throws(ConfigProblem) -> [String: String] {
        var values: [String: String] = [:]
        for (key, value) in overrides {
            guard let field = ConfigSchema.byKey[key] else { throw ConfigProblem(key: key, "unknown key") }
            values[field.providerName] = value
        }
        return values
    }

    /// `GAVEL_*` variables renamed for the provider; an unknown one is an error, as a typo
    /// would otherwise be silently ignored.
    static func providerValues(environment: [String: String]) throws(ConfigProblem) -> [String: String] {
        var values: [String: String] = [:]
        for (name, value) in environment where name.hasPrefix("GAVEL_") {
            guard let field = ConfigSchema.byEnvironmentName[name] else {
                throw ConfigProblem(key: name, "unknown configuration variable")
            }
            values[field.providerName] = value
        }
        return values
    }

    /// swift-configuration ignores keys nobody reads; a misspelt key must stop start-up instead.
    static func checkYAMLKeys(file: String) throws(ConfigProblem) {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw ConfigProblem(key: file, "cannot be read")
        }
        let root: Any?
        do {
            root = try Yams.load(yaml: text)
        } catch {
            throw ConfigProblem(key: file, "is not valid YAML")
        }
        guard let root else { return }
        guard let mapping = root as? [String: Any] else { throw ConfigProblem(key: file, "top level must be a mapping") }
        func walk(_ mapping: [String: Any], prefix: String) throws(ConfigProblem) {
            for (name, value) in mapping {
                let key = prefix.isEmpty ? name : "\(prefix).\(name)"
                if ConfigSchema.byKey[key] != nil { continue }
                guard let child = value as? [String: Any],
                    ConfigSchema.fields.contains(where: { $0.key.hasPrefix(key + ".") })
                else { throw ConfigProblem(key: key, "unknown key") }
                try walk(child, prefix: key)
            }
        }
        try walk(mapping, prefix: "")
    }
}
