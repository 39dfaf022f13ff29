import Foundation
import GavelCore

/// A stored user account, with the secrets that never leave the identity capability.
struct Account: Sendable, Equatable {
    let id: UUID
    let email: String
    let name: String
    var passwordHash: String
    let createdAt: Date
    /// The active TOTP secret; `nil` when two-factor authentication is off.
    var twoFactorSecret: [UInt8]?
    var twoFactorPendingSecret: [UInt8]?
    var twoFactorLastStep: Int64?

    var twoFactorEnabled: Bool { twoFactorSecret != nil }
}

/// What `/me` and registration show of an account.
struct AccountRepresentation: Encodable {
    let id: String
    let email: String?
    let name: String
    let twoFactorEnabled: Bool?
    let createdAt: String

    enum CodingKeys: String, CodingKey {
        case id, email, name
        case twoFactorEnabled = "two_factor_enabled", createdAt = "created_at"
    }

    /// `includeEmail: false` for what anyone may read (the event feed is public).
    init(_ account: Account, includeTwoFactor: Bool = true, includeEmail: Bool = true) {
        id = account.id.text
        email = includeEmail ? account.email : nil
        name = account.name
        twoFactorEnabled = includeTwoFactor ? account.twoFactorEnabled : nil
        createdAt = Timestamp.format(account.createdAt)
    }
}

extension AccountRepresentation {
    /// The `identity.user.registered` payload: the feed is public, so no email and no 2FA state.
    static func registered(_ account: Account) throws -> [UInt8] {
        try JSONCoding.encode(AccountRepresentation(account, includeTwoFactor: false, includeEmail: false))
    }
}
