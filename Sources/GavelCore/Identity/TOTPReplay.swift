/// RFC 6238 §5.2: a verifier must not accept the same one-time password twice.
public enum TOTPReplay {
    /// A code is a replay when its step is not later than the last step accepted for that user.
    /// Older steps are refused too: once a newer code has been used, an intercepted earlier one
    /// (still inside the skew window) must not work.
    public static func isReplay(step: Int64, lastAcceptedStep: Int64?) -> Bool {
        guard let lastAcceptedStep else { return false }
        return step <= lastAcceptedStep
    }
}
