/// Where an auctioned item is in its life. Only `active` items take bids; `sold`, `unsold` and
/// `cancelled` are final.
public enum ItemStatus: String, Sendable, CaseIterable, Codable {
    case draft, scheduled, active, sold, unsold, cancelled

    /// The auction is over and nothing about it changes any more.
    public var isFinal: Bool {
        switch self {
        case .sold, .unsold, .cancelled: true
        case .draft, .scheduled, .active: false
        }
    }
}
