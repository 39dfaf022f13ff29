/// Request bodies of `/api/v1/identity`. Secrets in them are never logged or echoed.
struct RegisterBody: StrictDecodable {
    let email: String
    let password: String
    let name: String
    enum CodingKeys: String, CodingKey, CaseIterable { case email, password, name }
}

struct LoginBody: StrictDecodable {
    let email: String
    let password: String
    enum CodingKeys: String, CodingKey, CaseIterable { case email, password }
}

struct ChallengeBody: StrictDecodable {
    let challengeToken: String
    let code: String?
    let recoveryCode: String?
    enum CodingKeys: String, CodingKey, CaseIterable {
        case code, challengeToken = "challenge_token", recoveryCode = "recovery_code"
    }
}

struct RefreshTokenBody: StrictDecodable {
    let refreshToken: String
    enum CodingKeys: String, CodingKey, CaseIterable { case refreshToken = "refresh_token" }
}

struct PasswordBody: StrictDecodable {
    let password: String
    enum CodingKeys: String, CodingKey, CaseIterable { case password }
}

struct CodeBody: StrictDecodable {
    let code: String
    enum CodingKeys: String, CodingKey, CaseIterable { case code }
}

struct DisableTwoFactorBody: StrictDecodable {
    let password: String
    let code: String
    enum CodingKeys: String, CodingKey, CaseIterable { case password, code }
}

struct ChallengeResponse: Encodable {
    let twoFactorRequired = true
    let challengeToken: String
    let expiresIn: Int
    enum CodingKeys: String, CodingKey {
        case twoFactorRequired = "two_factor_required", challengeToken = "challenge_token", expiresIn = "expires_in"
    }
}

struct RecoveryCodesResponse: Encodable {
    let recoveryCodes: [String]
    enum CodingKeys: String, CodingKey { case recoveryCodes = "recovery_codes" }
}
