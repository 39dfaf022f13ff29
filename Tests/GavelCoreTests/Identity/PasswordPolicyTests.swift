import GavelCore
import Testing

@Suite("Password policy")
struct PasswordPolicyTests {
    func failure(_ password: String) throws -> ValidationFailure {
        try #require(throws: ValidationFailure.self) { try PasswordPolicy.check(password) }
    }

    @Test(
        "accepts long, uncommon passwords",
        arguments: [
            "correct horse battery staple", "Tr0ub4dor&3x", "kettle-violin-42", "ünïcödé-pässwörd",
            "          ",  // ten spaces: odd, but length is what counts
            String(repeating: "z", count: 72),
        ])
    func acceptsGoodPasswords(password: String) throws {
        try PasswordPolicy.check(password)
    }

    @Test("requires at least ten characters", arguments: ["", "a", "abcdefghj", "ééééééééé"])
    func minimumLength(password: String) throws {
        #expect(try failure(password).errors == [FieldError(field: "password", message: "must be at least 10 characters")])
    }

    @Test("the minimum counts characters, not bytes")
    func minimumCountsCharacters() throws {
        try PasswordPolicy.check("éééééééééé")  // 20 bytes, ten characters
        try PasswordPolicy.check("🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑")
    }

    @Test("allows at most 72 UTF-8 bytes and says that bcrypt ignores the rest")
    func maximumBytes() throws {
        try PasswordPolicy.check(String(repeating: "a", count: 72))
        let failure = try failure(String(repeating: "a", count: 73))
        #expect(failure.fields == ["password"])
        #expect(failure.errors.first?.message.contains("72 bytes") == true)
        #expect(failure.errors.first?.message.contains("bcrypt ignores") == true)
    }

    @Test("the byte limit counts UTF-8 bytes, not characters")
    func byteLimitCountsBytes() throws {
        try PasswordPolicy.check(String(repeating: "é", count: 36))  // 72 bytes
        #expect(try failure(String(repeating: "é", count: 37)).fields == ["password"])  // 74 bytes
    }

    @Test("refuses control characters, which bcrypt's C strings would cut at", arguments: ["abcde\0fghij", "abcdefghij\n", "tab\there-x"])
    func refusesControlCharacters(password: String) throws {
        #expect(try failure(password).errors == [FieldError(field: "password", message: "must not contain control characters")])
    }

    @Test(
        "refuses common passwords in any letter case",
        arguments: [
            "password123", "Password123", "PASSWORD123", "1234567890", "qwertyuiop", "QwertyUIOP", "iloveyou12",
            "letmein123", "password1!", "Password1!", "administrator", "Administrator", "welcome123",
        ])
    func refusesCommonPasswords(password: String) throws {
        let failure = try failure(password)
        #expect(failure.fields == ["password"])
        #expect(failure.errors.first?.message.contains("common") == true)
    }

    @Test("every common password is refused")
    func wholeListRefused() throws {
        #expect(PasswordPolicy.commonPasswords.count >= 100)
        for password in PasswordPolicy.commonPasswords {
            #expect(throws: ValidationFailure.self) { try PasswordPolicy.check(password) }
        }
    }

    @Test("the common list holds only lower-case entries long enough to pass the length rule")
    func listShape() {
        for entry in PasswordPolicy.commonPasswords {
            #expect(entry.count >= PasswordPolicy.minimumLength, "\(entry)")
            #expect(entry == entry.lowercased(), "\(entry)")
        }
    }

    @Test("a common password with anything added is no longer on the list")
    func nearMissesPass() throws {
        try PasswordPolicy.check("password123 but longer")
        try PasswordPolicy.check(" password123")
    }
}
