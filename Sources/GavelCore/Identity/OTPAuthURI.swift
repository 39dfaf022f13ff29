/// The `otpauth://` Key URI that authenticator apps read from a QR code
/// (github.com/google/google-authenticator/wiki/Key-Uri-Format).
public enum OTPAuthURI {
    /// `otpauth://totp/<issuer>:<account>?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30`.
    ///
    /// The issuer appears in the label and as a parameter: older apps read only the label,
    /// newer ones prefer the parameter. Both parts of the label are percent-encoded on their
    /// own (a ':' inside either becomes %3A), so the one literal ':' always separates them.
    /// Algorithm, digits and period are spelled out although they are the defaults, so an app
    /// never has to guess.
    public static func make(issuer: String, account: String, secret: [UInt8]) -> String {
        let issuer = percentEncoded(issuer)
        return "otpauth://totp/\(issuer):\(percentEncoded(account))"
            + "?secret=\(Base32.encode(secret))&issuer=\(issuer)"
            + "&algorithm=SHA1&digits=\(TOTP.defaultDigits)&period=\(TOTP.defaultPeriod)"
    }

    /// Keeps only RFC 3986 unreserved characters; every other UTF-8 byte becomes %XX.
    /// (Spaces become %20, never '+', which some apps would show literally.)
    static func percentEncoded(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var output: [UInt8] = []
        for byte in text.utf8 {
            if isUnreserved(byte) {
                output.append(byte)
            } else {
                output += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            true
        default: false
        }
    }
}
