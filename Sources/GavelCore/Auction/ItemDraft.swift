import Foundation

/// The fields a seller gives to list an item (create) or that a merge patch produces (edit).
public struct ItemDraft: Equatable, Sendable {
    public var name: String
    public var description: String?
    public var currency: String?
    public var startPrice: Int
    public var bidIncrement: Int?
    public var reservePrice: Int?
    public var buyoutPrice: Int?
    public var startsAt: Date?
    public var endsAt: Date
    public var extensionThresholdSeconds: Int?
    public var extensionDurationSeconds: Int?

    public init(
        name: String, description: String? = nil, currency: String? = nil, startPrice: Int, bidIncrement: Int? = nil,
        reservePrice: Int? = nil, buyoutPrice: Int? = nil, startsAt: Date? = nil, endsAt: Date,
        extensionThresholdSeconds: Int? = nil, extensionDurationSeconds: Int? = nil
    ) {
        self.name = name
        self.description = description
        self.currency = currency
        self.startPrice = startPrice
        self.bidIncrement = bidIncrement
        self.reservePrice = reservePrice
        self.buyoutPrice = buyoutPrice
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.extensionThresholdSeconds = extensionThresholdSeconds
        self.extensionDurationSeconds = extensionDurationSeconds
    }
}

/// Defaults that come from configuration.
public struct AuctionDefaults: Sendable {
    public var currency: Currency
    public var extensionThreshold: TimeInterval
    public var extensionDuration: TimeInterval
    public var maxExtension: TimeInterval
    public var maxDuration: TimeInterval

    public init(
        currency: Currency, extensionThreshold: TimeInterval, extensionDuration: TimeInterval, maxExtension: TimeInterval,
        maxDuration: TimeInterval
    ) {
        self.currency = currency
        self.extensionThreshold = extensionThreshold
        self.extensionDuration = extensionDuration
        self.maxExtension = maxExtension
        self.maxDuration = maxDuration
    }
}

public struct ValidatedItem: Equatable, Sendable {
    public let name: String
    public let description: String
    public let terms: AuctionTerms
    /// True when the seller chose the anti-sniping settings.
    public let extensionOverridden: Bool
}

public enum ItemRules {
    /// The longest anti-sniping threshold or extension a seller may choose.
    public static let maxExtensionSetting = 86_400

    /// How far ahead an auction may be scheduled to start: a year. Listings further out are
    /// mistakes (a year typed wrong) rather than plans, and the bound keeps every date the API
    /// stores or writes within four-digit years.
    public static let maxScheduleAhead: TimeInterval = 365 * 86_400

    /// The listing's name (trimmed) and description, checked. Every edit checks them, including
    /// one that leaves the terms alone, since both stay editable after the first bid.
    public static func validateText(_ draft: ItemDraft) throws(ValidationFailure) -> (name: String, description: String) {
        var validator = Validator()
        let checked = text(draft, &validator)
        try validator.finish()
        return checked
    }

    private static func text(_ draft: ItemDraft, _ validator: inout Validator) -> (name: String, description: String) {
        let name = ListingText.name(draft.name, &validator)
        let description = ListingText.description(draft.description, &validator)
        return (name, description)
    }

    /// Validates a listing. A missing or past `startsAt` means `now`; `endsAt` must be at least a
    /// second after the start and within `maxDuration`. The increment defaults to 5% of the
    /// start price (at least one minor unit).
    ///
    /// An edit of a listing whose auction has already `started` keeps that start (the caller
    /// refuses a draft that moves it), and `maxDuration` counts from it. Its end may stay where it
    /// is however near it is; a new end must be at least a second from `now`.
    public static func validate(
        _ draft: ItemDraft, now: Date, defaults: AuctionDefaults, started: (startsAt: Date, endsAt: Date)? = nil
    ) throws(ValidationFailure) -> ValidatedItem {
        var validator = Validator()
        let (name, description) = text(draft, &validator)
        var currency = defaults.currency
        if let code = draft.currency {
            if let parsed = Currency(code) { currency = parsed } else { validator.fail("currency", "must be an ISO 4217 currency code") }
        }
        let price = 1...ProductRules.maxPrice
        validator.check(price.contains(draft.startPrice), "start_price", "must be between 1 and \(ProductRules.maxPrice) (minor units)")
        let increment = draft.bidIncrement ?? max(1, draft.startPrice / 20)
        validator.check(price.contains(increment), "bid_increment", "must be between 1 and \(ProductRules.maxPrice) (minor units)")
        if let reserve = draft.reservePrice {
            validator.check(reserve >= draft.startPrice && reserve <= ProductRules.maxPrice, "reserve_price", "must be at least the start price")
        }
        if let buyout = draft.buyoutPrice {
            validator.check(buyout > draft.startPrice && buyout <= ProductRules.maxPrice, "buyout_price", "must be above the start price")
            if let reserve = draft.reservePrice {
                validator.check(buyout >= reserve, "buyout_price", "must not be below the reserve price")
            }
        }
        let startsAt = started?.startsAt ?? max(draft.startsAt ?? now, now)
        if started == nil {
            validator.check(
                startsAt.timeIntervalSince(now) <= maxScheduleAhead, "starts_at",
                "must be within \(Int(maxScheduleAhead / 86_400)) days from now")
        }
        if let started {
            if draft.endsAt.unixMillis != started.endsAt.unixMillis {
                validator.check(draft.endsAt.timeIntervalSince(now) >= 1, "ends_at", "must be at least one second from now")
            }
        } else {
            validator.check(draft.endsAt.timeIntervalSince(startsAt) >= 1, "ends_at", "must be at least one second after the start")
        }
        validator.check(
            draft.endsAt.timeIntervalSince(startsAt) <= defaults.maxDuration, "ends_at",
            "must be within \(Int(defaults.maxDuration)) seconds of the start")
        for (field, value) in [("extension_threshold_seconds", draft.extensionThresholdSeconds), ("extension_duration_seconds", draft.extensionDurationSeconds)] {
            if let value {
                validator.check((0...maxExtensionSetting).contains(value), field, "must be between 0 and \(maxExtensionSetting)")
            }
        }
        try validator.finish()
        let overridden = draft.extensionThresholdSeconds != nil || draft.extensionDurationSeconds != nil
        return ValidatedItem(
            name: name, description: description,
            terms: AuctionTerms(
                currency: currency, startPrice: draft.startPrice, bidIncrement: increment, reservePrice: draft.reservePrice,
                buyoutPrice: draft.buyoutPrice, startsAt: startsAt, endsAt: draft.endsAt,
                extensionThreshold: draft.extensionThresholdSeconds.map(TimeInterval.init) ?? defaults.extensionThreshold,
                extensionDuration: draft.extensionDurationSeconds.map(TimeInterval.init) ?? defaults.extensionDuration,
                maxExtension: defaults.maxExtension),
            extensionOverridden: overridden)
    }
}
