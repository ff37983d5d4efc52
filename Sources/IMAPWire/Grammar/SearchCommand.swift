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
    /// RETURN (PARTIAL x:y) (RFC 9394); `returnOptions` is then not nil.
    public var partial: SearchPartialRange?
    public var charset: String?
    /// Several top-level keys are returned as `.and`.
    public var key: SearchKey
    public var uid: Bool

    public init(
        returnOptions: [SearchReturnOption]? = nil, partial: SearchPartialRange? = nil, charset: String? = nil,
        key: SearchKey, uid: Bool = false
    ) {
        self.returnOptions = returnOptions
        self.partial = partial
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
            n += writeReturnOptions(options, partial: search.partial)
        }
        if let charset = search.charset {
            n += writeString(" CHARSET ") + writeIMAPAtomOrString(charset)
        }
        return n + writeSearchKeys(search.key)
    }
}
