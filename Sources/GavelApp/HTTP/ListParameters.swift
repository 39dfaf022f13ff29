import Foundation
import GavelCore
import Hummingbird
import HummingbirdCore

/// Parses list query parameters; anything malformed is 400 naming the parameter.
enum ListParameters {
    static func products(_ parameters: FlatDictionary<Substring, Substring>) throws -> (ProductQuery, PageRequest) {
        var errors: [FieldError] = []
        func int(_ name: String) -> Int? {
            guard let text = parameters[Substring(name)], !text.isEmpty else { return nil }
            guard let value = Int(text) else {
                errors.append(FieldError(field: name, message: "must be an integer"))
                return nil
            }
            return value
        }
        let page = int("page")
        let size = int("page_size")
        let minPrice = int("min_price")
        let maxPrice = int("max_price")
        var seller: UUID?
        if let text = parameters["seller_id"], !text.isEmpty {
            seller = Identifier.parse(text)
            if seller == nil { errors.append(FieldError(field: "seller_id", message: "must be a UUID")) }
        }
        var sort = ProductSort.newest
        if let text = parameters["sort"], !text.isEmpty {
            if let parsed = ProductSort(rawValue: String(text)) {
                sort = parsed
            } else {
                let allowed = ProductSort.allCases.map(\.rawValue).joined(separator: ", ")
                errors.append(FieldError(field: "sort", message: "must be one of: \(allowed)"))
            }
        }
        let text = parameters["q"].map(String.init)
        if !errors.isEmpty { throw Problem.invalidParameters(ValidationFailure(errors: errors)) }
        let query: ProductQuery
        do {
            query = try ProductQuery(text: text, minPrice: minPrice, maxPrice: maxPrice, sellerID: seller, sort: sort)
        } catch {
            throw Problem.invalidParameters(error)
        }
        return (query, try pageRequest(page: page, size: size))
    }

    static func pageRequest(page: Int?, size: Int?) throws -> PageRequest {
        do {
            return try PageRequest(page: page ?? 1, size: size ?? PageRequest.defaultSize)
        } catch {
            throw Problem.invalidParameters(error)
        }
    }
}
