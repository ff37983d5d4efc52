/// The client's message of OAUTHBEARER or XOAUTH2 once parsed: who it says it is, and its token.
public struct BearerCredentials: Sendable, Equatable {
    /// The authzid (OAUTHBEARER, optional) or `user` (XOAUTH2, required).
    public var user: String?
    /// The bearer token, without the `Bearer` scheme.
    public var token: String
}

/// The pure parsers of the two bearer mechanisms' client messages.
public enum BearerMessage {
    /// The separator of OAUTHBEARER's and XOAUTH2's key/value pairs (control A).
    public static let kvsep: UInt8 = 0x01

    /// OAUTHBEARER's first client response (RFC 7628 §3.1):
    ///
    ///     client-resp = (gs2-header kvsep *kvpair kvsep) / kvsep
    ///     gs2-header  = gs2-cb-flag "," [gs2-authzid] ","      ; RFC 5801 §4
    ///     gs2-cb-flag = ("p=" cb-name) / "n" / "y"
    ///     gs2-authzid = "a=" saslname
    ///
    /// `auth` is required; `host`, `port` and unknown keys are ignored (§3.1). OAUTHBEARER has no
    /// channel binding, so `p=` is refused; the lone `kvsep` only answers an error challenge (§3.2.3).
    public static func parseOAuthBearer(_ message: [UInt8]) -> Result<BearerCredentials, SASLFailure> {
        guard message.count <= SASLLimits.maxBearerMessageBytes else { return .failure(.malformed("message too long")) }
        guard let headerEnd = message.firstIndex(of: kvsep), let header = utf8(message[..<headerEnd]) else {
            return .failure(.malformed("expected gs2-header and kvsep"))
        }
        let fields = header.split(separator: ",", omittingEmptySubsequences: false)
        guard fields.count == 3, fields[2].isEmpty else { return .failure(.malformed("bad gs2-header")) }
        switch fields[0] {
        case "n", "y": break
        case _ where fields[0].hasPrefix("p="):
            return .failure(.channelBindingRefused("OAUTHBEARER has no channel binding"))
        default: return .failure(.malformed("bad gs2-cb-flag"))
        }
        var authzid: String?
        if !fields[1].isEmpty {
            guard fields[1].hasPrefix("a="), let name = SCRAMServer.decodeSASLName(fields[1].dropFirst(2)),
                name.utf8.count <= SASLLimits.maxFieldBytes
            else { return .failure(.malformed("bad authzid")) }
            authzid = name
        }
        switch parsePairs(message[(headerEnd + 1)...]) {
        case .failure(let failure): return .failure(failure)
        case .success(let pairs):
            guard let auth = pairs["auth"] else { return .failure(.malformed("no auth")) }
            return bearerToken(auth).map { BearerCredentials(user: authzid, token: $0) }
        }
    }

    /// XOAUTH2's only client message (Google's format):
    ///
    ///     message = "user=" name kvsep "auth=Bearer " token kvsep kvsep
    ///
    /// read as the same pairs as OAUTHBEARER's (`1*kvpair kvsep`), so both keys are required and other
    /// keys are ignored.
    public static func parseXOAuth2(_ message: [UInt8]) -> Result<BearerCredentials, SASLFailure> {
        guard message.count <= SASLLimits.maxBearerMessageBytes else { return .failure(.malformed("message too long")) }
        switch parsePairs(message[...]) {
        case .failure(let failure): return .failure(failure)
        case .success(let pairs):
            guard let user = pairs["user"], !user.isEmpty, user.utf8.count <= SASLLimits.maxFieldBytes else {
                return .failure(.malformed("no user"))
            }
            guard let auth = pairs["auth"] else { return .failure(.malformed("no auth")) }
            return bearerToken(auth).map { BearerCredentials(user: user, token: $0) }
        }
    }

    /// The pairs up to the empty one that ends them, with nothing after it (RFC 7628 §3.1):
    ///
    ///     *kvpair kvsep
    ///     kvpair = key "=" value kvsep
    ///     key    = 1*(ALPHA)
    ///     value  = *(VCHAR / SP / HTAB / CR / LF)
    ///
    /// A key given twice is malformed; keys are compared as sent.
    static func parsePairs(_ bytes: ArraySlice<UInt8>) -> Result<[String: String], SASLFailure> {
        var pairs: [String: String] = [:]
        var rest = bytes
        while true {
            guard let end = rest.firstIndex(of: kvsep) else {
                return .failure(.malformed("unterminated key/value pair"))
            }
            let pair = rest[..<end]
            rest = rest[(end + 1)...]
            if pair.isEmpty {
                return rest.isEmpty ? .success(pairs) : .failure(.malformed("data after the last kvsep"))
            }
            guard pairs.count < SASLLimits.maxBearerPairs else {
                return .failure(.malformed("too many key/value pairs"))
            }
            guard let equals = pair.firstIndex(of: UInt8(ascii: "=")), equals > pair.startIndex,
                pair[..<equals].allSatisfy(isAlpha), pair[(equals + 1)...].allSatisfy(isValueByte),
                let key = utf8(pair[..<equals]), let value = utf8(pair[(equals + 1)...])
            else { return .failure(.malformed("bad key/value pair")) }
            guard pairs.updateValue(value, forKey: key) == nil else {
                return .failure(.malformed("duplicate key \(key)"))
            }
        }
    }

    /// The token of an `auth` value, as in an HTTP Authorization header (RFC 6750 §2.1):
    ///
    ///     auth-value = "Bearer" 1*SP b64token     ; the scheme without case (RFC 7235 §2.1)
    ///     b64token   = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
    static func bearerToken(_ value: String) -> Result<String, SASLFailure> {
        let scheme = "bearer"
        guard value.utf8.count > scheme.utf8.count, value.prefix(scheme.count).lowercased() == scheme else {
            return .failure(.malformed("auth is not a Bearer token"))
        }
        let afterScheme = value.dropFirst(scheme.count)
        let token = afterScheme.drop(while: { $0 == " " })
        guard token.startIndex > afterScheme.startIndex, isB64Token(token.utf8) else {
            return .failure(.malformed("bad b64token"))
        }
        return .success(String(token))
    }

    private static func isB64Token(_ bytes: Substring.UTF8View) -> Bool {
        let body = bytes.prefix(while: { $0 != UInt8(ascii: "=") })
        guard !body.isEmpty, bytes.dropFirst(body.count).allSatisfy({ $0 == UInt8(ascii: "=") }) else { return false }
        return body.allSatisfy { isAlpha($0) || (0x30...0x39).contains($0) || Array("-._~+/".utf8).contains($0) }
    }

    private static func isAlpha(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }

    /// VCHAR / SP / HTAB / CR / LF.
    private static func isValueByte(_ byte: UInt8) -> Bool {
        (0x21...0x7E).contains(byte) || byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }
}
