import Foundation
import GavelCore
import Hummingbird
import HummingbirdCore

/// Reads query parameters, collecting every malformed one so one 400 names them all.
struct QueryReader {
    let parameters: FlatDictionary<Substring, Substring>
    private(set) var errors: [FieldError] = []

    init(_ parameters: FlatDictionary<Substring, Substring>) {
        self.parameters = parameters
    }

    /// The trimmed value, or `nil` when absent or blank.
    func text(_ name: String) -> String? {
        guard let text = parameters[Substring(name)]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        return text
    }

    mutating func int(_ name: String) -> Int? {
        guard let text = text(name) else { return nil }
        guard let value = Int(text) else {
            errors.append(FieldError(field: name, message: "must be an integer"))
            return nil
        }
        return value
    }

    mutating func uuid(_ name: String) -> UUID? {
        guard let text = text(name) else { return nil }
        guard let value = Identifier.parse(text) else {
            errors.append(FieldError(field: name, message: "must be a UUID"))
            return nil
        }
        return value
    }

    mutating func choice<T: RawRepresentable & CaseIterable>(_ name: String, _: T.Type) -> T? where T.RawValue == String {
        guard let text = text(name) else { return nil }
        guard let value = T(rawValue: text) else {
            errors.append(FieldError(field: name, message: "must be one of: \(T.allCases.map(\.rawValue).joined(separator: ", "))"))
            return nil
        }
        return value
    }

    /// The page, after every other parameter was read: throws 400 naming all malformed ones.
    mutating func page() throws -> PageRequest {
        let page = int("page"), size = int("page_size")
        if !errors.isEmpty { throw Problem.invalidParameters(ValidationFailure(errors: errors)) }
        do {
            return try PageRequest(page: page ?? 1, size: size ?? PageRequest.defaultSize)
        } catch {
            throw Problem.invalidParameters(error)
        }
    }
}

/// Parses list query parameters; anything malformed is 400 naming the parameter.
enum ListParameters {
    static func products(_ parameters: FlatDictionary<Substring, Substring>) throws -> (ProductQuery, PageRequest) {
        var reader = QueryReader(parameters)
        let minPrice = reader.int("min_price")
        let maxPrice = reader.int("max_price")
        let seller = reader.uuid("seller_id")
        let sort = reader.choice("sort", ProductSort.self) ?? .newest
        let page = try reader.page()
        do {
            return (try ProductQuery(text: reader.text("q"), minPrice: minPrice, maxPrice: maxPrice, sellerID: seller, sort: sort), page)
        } catch {
            throw Problem.invalidParameters(error)
        }
    }

    static func items(_ parameters: FlatDictionary<Substring, Substring>, viewer: UUID?) throws -> (ItemQuery, PageRequest) {
        var reader = QueryReader(parameters)
        var query = ItemQuery(viewer: viewer)
        query.status = reader.choice("status", ItemStatus.self)
        query.sellerID = reader.uuid("seller_id")
        query.sort = reader.choice("sort", ItemSort.self) ?? .endingSoon
        query.text = reader.text("q")
        return (query, try reader.page())
    }

    static func page(_ parameters: FlatDictionary<Substring, Substring>) throws -> PageRequest {
        var reader = QueryReader(parameters)
        return try reader.page()
    }
}

extension URI {
    /// Query parameters decoded the way forms and `URLSearchParams` encode them: `+` is a space
    /// and `%2B` a plus. (Hummingbird's `queryParameters` leaves `+` as it is, so a search sent
    /// by a browser for "teapot 42" looked for "teapot+42".)
    var formParameters: FlatDictionary<Substring, Substring> {
        guard let query, !query.isEmpty else { return [:] }
        return FlatDictionary(query.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (key: Self.formDecoded(parts[0]), value: parts.count > 1 ? Self.formDecoded(parts[1]) : "")
        })
    }

    private static func formDecoded(_ text: Substring) -> Substring {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return Substring(spaced.removingPercentEncoding ?? spaced)
    }
}
