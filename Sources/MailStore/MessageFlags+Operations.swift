/// Flag arithmetic shared by every engine. Keywords are case-insensitive (RFC 9051 §2.3.2): when two
/// spellings of one keyword meet, the one already on the message wins.
extension MessageFlags {
    /// The same flags with keywords that differ only in case merged (the smallest spelling is kept).
    public var normalized: MessageFlags {
        var seen: Set<String> = []
        var keywords: Set<String> = []
        for keyword in self.keywords.sorted() where seen.insert(keyword.lowercased()).inserted {
            keywords.insert(keyword)
        }
        return MessageFlags(system: system, keywords: keywords)
    }

    /// The flags a message ends up with after STORE `operation` with `flags`.
    public func applying(_ operation: FlagOperation, _ flags: MessageFlags) -> MessageFlags {
        switch operation {
        case .replace:
            var existing: [String: String] = [:]
            for keyword in keywords { existing[keyword.lowercased()] = keyword }
            let wanted = flags.normalized
            return MessageFlags(
                system: wanted.system,
                keywords: Set(wanted.keywords.map { existing[$0.lowercased()] ?? $0 }))
        case .add:
            var result = self
            result.system.formUnion(flags.system)
            let present = Set(keywords.map { $0.lowercased() })
            for keyword in flags.normalized.keywords where !present.contains(keyword.lowercased()) {
                result.keywords.insert(keyword)
            }
            return result
        case .remove:
            var result = self
            result.system.subtract(flags.system)
            let removed = Set(flags.keywords.map { $0.lowercased() })
            result.keywords = keywords.filter { !removed.contains($0.lowercased()) }
            return result
        }
    }
}
