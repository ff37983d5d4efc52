import NIOCore

/// search-return-opt (RFC 9051 ESEARCH, RFC 5182 SAVE)
public enum SearchReturnOption: String, Sendable, Hashable, CaseIterable {
    case min = "MIN"
    case max = "MAX"
    case all = "ALL"
    case count = "COUNT"
    case save = "SAVE"
}

/// search = "SEARCH" [search-return-opts] SP search-program
public struct SearchCommand: Sendable, Hashable {
    /// nil: no RETURN; `[]`: `RETURN ()` (which means ALL).
    public var returnOptions: [SearchReturnOption]?
    public var charset: String?
    /// Several top-level keys are returned as `.and`.
    public var key: SearchKey
    public var uid: Bool

    public init(returnOptions: [SearchReturnOption]? = nil, charset: String? = nil, key: SearchKey, uid: Bool = false) {
        self.returnOptions = returnOptions
        self.charset = charset
        self.key = key
        self.uid = uid
    }
}

// MARK: - Encoding

extension ByteBuffer {
    /// Writes `SEARCH ...` (without the UID prefix).
    @discardableResult
    public mutating func writeSearchCommand(_ search: SearchCommand) -> Int {
        var n = writeString("SEARCH")
        if let options = search.returnOptions {
            n += writeString(" RETURN (" + options.map(\.rawValue).joined(separator: " ") + ")")
        }
        if let charset = search.charset {
            n += writeString(" CHARSET ") + writeIMAPAtomOrString(charset)
        }
        if case .and(let keys) = search.key, keys.count > 1 {
            for k in keys { n += writeString(" ") + writeSearchKey(k) }
        } else {
            n += writeString(" ") + writeSearchKey(search.key)
        }
        return n
    }
}
