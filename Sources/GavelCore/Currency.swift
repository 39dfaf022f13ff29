/// An ISO 4217 currency code. Amounts are always integers in the currency's minor unit.
public struct Currency: Hashable, Sendable, CustomStringConvertible {
    public let code: String

    /// Accepts a known ISO 4217 code in any letter case and stores it upper-cased.
    public init?(_ text: String) {
        // ASCII only: `uppercased()` folds some other letters onto ASCII ("uſd" → "USD").
        guard text.utf8.count == 3, text.utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
        let upper = text.uppercased()
        guard upper.utf8.count == 3, Self.known.contains(upper) else { return nil }
        self.code = upper
    }

    public var description: String { code }

    // Active ISO 4217 codes (2024 list), minus funds and precious-metal codes.
    static let known: Set<String> = Set(
        """
        AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP
        BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP
        GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR
        KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK
        MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR
        SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS
        UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
        """.split(whereSeparator: \.isWhitespace).map(String.init)
    )
}
