extension PasswordPolicy {
    /// Frequent entries of public breach lists that are long enough to pass the length rule
    /// (shorter ones are refused anyway). Lower-case; passwords are compared case-insensitively,
    /// since "Password123" is guessed as early as "password123".
    public static let commonPasswords: Set<String> = [
        // digit and keyboard runs
        "0000000000", "1111111111", "2222222222", "5555555555", "7777777777", "9999999999",
        "0123456789", "1234567890", "0987654321", "9876543210", "12345678910", "123456789a",
        "a123456789", "1234567890a", "123456789q", "1231231234", "123123123123", "1122334455",
        "112233445566", "1212121212", "1234512345", "1234567891", "12345678901", "123456789012",
        "qwertyuiop", "qwerty1234", "qwerty12345", "qwerty123456", "1234qwerty", "12345qwert",
        "1q2w3e4r5t", "1q2w3e4r5t6y", "q1w2e3r4t5", "1qaz2wsx3edc", "qazwsxedcrfv", "qazwsxedc123",
        "zaq12wsx34", "123qweasdzxc", "asdfghjkl1", "asdfghjkl123", "asdfghjkl;", "zxcvbnm123",
        "zxcvbnmasdf", "1a2b3c4d5e", "abcdefghij", "abcdefg123", "abcd123456", "abc1234567",
        "abc123456789",
        // "password" and friends
        "password12", "password123", "password1234", "password12345", "password1!", "password!!",
        "password2023", "password2024", "password2025", "passw0rd123", "p@ssw0rd123", "p@ssword123",
        "passwordpassword", "mypassword", "mypassword1", "mypassword123", "thisismypassword",
        "secret1234", "changeme12", "changeme123", "letmein123", "letmein1234", "letmeinplease",
        "welcome123", "welcome1234", "welcome12!", "welcome2024", "administrator", "administrator1",
        "admin12345", "admin123456", "adminadmin", "rootroot12", "trustno1234", "iloveyou12",
        "iloveyou123", "iloveyou1!",
        // words, names and teams with digits
        "princess123", "princess12", "sunshine123", "sunshine12", "football123", "baseball123",
        "basketball", "superman123", "starwars123", "monkey1234", "dragon1234", "master1234",
        "shadow1234", "michael123", "jennifer123", "charlie123", "liverpool1", "liverpool123",
        "chelsea123", "arsenal123", "manchester", "pokemon123", "minecraft1", "minecraft123",
        "fortnite123", "samsung123", "computer123", "internet123", "whatever123", "freedom123",
        "summer2024", "summer2025", "winter2024", "spring2024",
    ]
}
