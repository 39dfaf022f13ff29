import Foundation
import GavelCore

/// Parses API timestamps: strict RFC 3339 (`RFC3339`), with or without fractional seconds.
enum TimestampParser {
    /// The instant in whole milliseconds, as it is stored and as the auction clock reads (see
    /// `Timestamp.truncated`): the same millisecond is then the same `Date`, to the last bit.
    static func parse(_ text: String, field: String) throws(ValidationFailure) -> Date {
        if let millis = RFC3339.millis(text) { return Timestamp.date(millis: millis) }
        throw ValidationFailure(field: field, "must be an RFC 3339 timestamp such as 2030-01-31T18:00:00Z")
    }
}

/// Body of `POST /api/v1/items`.
struct CreateItemBody: StrictDecodable {
    let name: String
    let description: String?
    let currency: String?
    let startPrice: Int
    let bidIncrement: Int?
    let reservePrice: Int?
    let buyoutPrice: Int?
    let startsAt: String?
    let endsAt: String
    let extensionThresholdSeconds: Int?
    let extensionDurationSeconds: Int?
    /// `draft` keeps the item private to its seller; `active` (the default) publishes it.
    let status: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, description, currency, status
        case startPrice = "start_price", bidIncrement = "bid_increment", reservePrice = "reserve_price"
        case buyoutPrice = "buyout_price", startsAt = "starts_at", endsAt = "ends_at"
        case extensionThresholdSeconds = "extension_threshold_seconds", extensionDurationSeconds = "extension_duration_seconds"
    }

    func draft() throws -> (ItemDraft, publish: Bool) {
        var errors: [FieldError] = []
        var startsAt: Date?
        var endsAt = Date.distantPast
        do { startsAt = try self.startsAt.map { text throws(ValidationFailure) in try TimestampParser.parse(text, field: "starts_at") } } catch { errors += error.errors }
        do { endsAt = try TimestampParser.parse(self.endsAt, field: "ends_at") } catch { errors += error.errors }
        let publish = status == nil || status == "active"
        if let status, status != "active" && status != "draft" {
            errors.append(FieldError(field: "status", message: "must be draft or active"))
        }
        guard errors.isEmpty else { throw ValidationFailure(errors: errors) }
        return (
            ItemDraft(
                name: name, description: description, currency: currency, startPrice: startPrice, bidIncrement: bidIncrement,
                reservePrice: reservePrice, buyoutPrice: buyoutPrice, startsAt: startsAt, endsAt: endsAt,
                extensionThresholdSeconds: extensionThresholdSeconds, extensionDurationSeconds: extensionDurationSeconds),
            publish
        )
    }
}

/// Body of `PATCH /api/v1/items/{id}`: a JSON merge patch. Only name and description may change
/// once an item has bids; `status: "active"` publishes a draft.
struct PatchItemBody: StrictDecodable {
    let members: [String: JSONValue]

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, description, currency, status
        case startPrice = "start_price", bidIncrement = "bid_increment", reservePrice = "reserve_price"
        case buyoutPrice = "buyout_price", startsAt = "starts_at", endsAt = "ends_at"
        case extensionThresholdSeconds = "extension_threshold_seconds", extensionDurationSeconds = "extension_duration_seconds"
    }

    init(from decoder: any Decoder) throws {
        members = try decoder.singleValueContainer().decode([String: JSONValue].self)
    }

    static let alwaysEditable: Set<String> = ["name", "description"]

    var touchesTerms: Bool { !Set(members.keys).subtracting(Self.alwaysEditable).subtracting(["status"]).isEmpty }

    /// The draft that results from merging this patch into `item`.
    func merged(into item: Item) throws -> (ItemDraft, publish: Bool?) {
        guard !members.isEmpty else {
            throw ValidationFailure(field: "body", "the patch changes nothing", code: "validation.empty_patch")
        }
        var errors: [FieldError] = []
        func string(_ key: String, _ current: String?, nullable: Bool = false) -> String? {
            switch members[key] {
            case nil: return current
            case .null?:
                if !nullable { errors.append(FieldError(field: key, message: "cannot be removed")) }
                return nullable ? nil : current
            case .string(let value)?: return value
            default:
                errors.append(FieldError(field: key, message: "must be a string"))
                return current
            }
        }
        func int(_ key: String, _ current: Int?, nullable: Bool = false) -> Int? {
            switch members[key] {
            case nil: return current
            case .null?:
                if !nullable { errors.append(FieldError(field: key, message: "cannot be removed")) }
                return nullable ? nil : current
            case .int(let value)?: return value
            default:
                errors.append(FieldError(field: key, message: "must be an integer"))
                return current
            }
        }
        func date(_ key: String, _ current: Date) -> Date {
            guard let text = string(key, nil) else { return current }
            do { return try TimestampParser.parse(text, field: key) } catch {
                errors += error.errors
                return current
            }
        }
        let terms = item.terms
        let draft = ItemDraft(
            name: string("name", item.name) ?? item.name, description: string("description", item.description, nullable: true),
            currency: string("currency", terms.currency.code), startPrice: int("start_price", terms.startPrice) ?? terms.startPrice,
            bidIncrement: int("bid_increment", terms.bidIncrement), reservePrice: int("reserve_price", terms.reservePrice, nullable: true),
            buyoutPrice: int("buyout_price", terms.buyoutPrice, nullable: true), startsAt: date("starts_at", terms.startsAt),
            endsAt: date("ends_at", terms.endsAt),
            extensionThresholdSeconds: int("extension_threshold_seconds", item.extensionOverridden ? Int(terms.extensionThreshold) : nil, nullable: true),
            extensionDurationSeconds: int("extension_duration_seconds", item.extensionOverridden ? Int(terms.extensionDuration) : nil, nullable: true))
        var publish: Bool?
        if let status = members["status"] {
            switch status {
            case .string("active"): publish = true
            case .string("draft"): publish = false
            default: errors.append(FieldError(field: "status", message: "must be draft or active"))
            }
        }
        guard errors.isEmpty else { throw ValidationFailure(errors: errors) }
        return (draft, publish)
    }
}

/// Body of `POST /api/v1/items/{id}/bids`.
struct BidBody: StrictDecodable {
    let amount: Int
    let maxAmount: Int?
    let currency: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case amount, currency, maxAmount = "max_amount"
    }

    init(amount: Int, maxAmount: Int?, currency: String?) {
        self.amount = amount
        self.maxAmount = maxAmount
        self.currency = currency
    }

    /// The body as `JSONDecoder` would decode it, when it is plain (see `FlatJSON`).
    static func plain(_ bytes: UnsafeRawBufferPointer) -> BidBody? {
        guard let members = FlatJSON.members(bytes) else { return nil }
        var amount: Int?
        var maxAmount: Int?
        var currency: String?
        for (name, value) in members {
            switch (name, value) {
            case ("amount", .integer(let number)): amount = number
            case ("max_amount", .integer(let number)): maxAmount = number
            case ("max_amount", .null), ("currency", .null): break
            case ("currency", .string(let code)): currency = code
            default: return nil
            }
        }
        guard let amount else { return nil }
        return BidBody(amount: amount, maxAmount: maxAmount, currency: currency)
    }
}
