// QUOTA commands (RFC 9208 §4.1, §9).
extension GrammarParser {
    /// getquota = "GETQUOTA" SP quota-root-name; quota-root-name = astring
    mutating func getQuotaCommand() throws -> Command {
        try space()
        return .getQuota(root: try astringUTF8())
    }

    /// getquotaroot = "GETQUOTAROOT" SP mailbox
    mutating func getQuotaRootCommand() throws -> Command {
        try space()
        return .getQuotaRoot(try mailbox())
    }

    /// setquota = "SETQUOTA" SP quota-root-name SP setquota-list
    /// setquota-list = "(" [setquota-resource *(SP setquota-resource)] ")"
    /// setquota-resource = resource-name SP resource-limit; resource-name = atom; resource-limit = number64
    mutating func setQuotaCommand() throws -> Command {
        try space()
        let root = try astringUTF8()
        try space()
        try expect(UInt8(ascii: "("), "(")
        var limits: [QuotaResourceLimit] = []
        if !consume(UInt8(ascii: ")")) {
            repeat {
                let name = try atom()
                try space()
                limits.append(QuotaResourceLimit(name: name, limit: try number64()))
                guard limits.count <= Self.maxQuotaResources else { throw ParseError("too many quota resources") }
            } while consume(UInt8(ascii: " "))
            try expect(UInt8(ascii: ")"), ")")
        }
        return .setQuota(root: root, limits: limits)
    }

    /// More resources than RFC 9208 names, with room for extensions; a longer list is refused.
    static let maxQuotaResources = 16
}
