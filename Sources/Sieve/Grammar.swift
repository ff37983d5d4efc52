/// What one argument position or tag value must be.
enum SieveArgKind: Equatable {
    case string, stringList, number

    var noun: String {
        switch self {
        case .string: return "a string"
        case .stringList: return "a string list"
        case .number: return "a number"
        }
    }
}

/// A tag a command or test accepts: its extension, its value, and the group of tags it excludes.
struct SieveTagSpec {
    var name: String
    var extensions: [String] = []
    var value: SieveArgKind? = nil
    /// Tags of one group exclude each other (match types, address parts, comparators, ...).
    var group: String
}

/// The shape of a command or test: tags, positional arguments, tests and block.
struct SieveSpec {
    enum Tests { case none, one, list }
    var name: String
    /// Any one of these capabilities must be required (empty: part of the base language).
    var extensions: [String] = []
    var isTest: Bool
    var tags: [SieveTagSpec] = []
    var positional: [SieveArgKind] = []
    /// How many leading positional arguments may be left out (the variable name of setflag, hasflag).
    var optionalLeading = 0
    var tests: Tests = .none
    var block = false
}

/// The commands and tests of RFC 5228 and the extensions in ``Sieve/allExtensions``.
enum SieveGrammar {
    static let comparator = [SieveTagSpec(name: "comparator", value: .string, group: "comparator")]
    static let match = [
        SieveTagSpec(name: "is", group: "match"), SieveTagSpec(name: "contains", group: "match"),
        SieveTagSpec(name: "matches", group: "match"),
        SieveTagSpec(name: "count", extensions: ["relational"], value: .string, group: "match"),
        SieveTagSpec(name: "value", extensions: ["relational"], value: .string, group: "match"),
    ]
    static let addressPart = [
        SieveTagSpec(name: "all", group: "addresspart"), SieveTagSpec(name: "localpart", group: "addresspart"),
        SieveTagSpec(name: "domain", group: "addresspart"),
        SieveTagSpec(name: "user", extensions: ["subaddress"], group: "addresspart"),
        SieveTagSpec(name: "detail", extensions: ["subaddress"], group: "addresspart"),
    ]
    static let index = [
        SieveTagSpec(name: "index", extensions: ["index"], value: .number, group: "index"),
        SieveTagSpec(name: "last", extensions: ["index"], group: "last"),
    ]
    static let matching = comparator + match

    static let commands: [String: SieveSpec] = {
        var c: [SieveSpec] = [
            SieveSpec(name: "require", isTest: false, positional: [.stringList]),
            SieveSpec(name: "if", isTest: false, tests: .one, block: true),
            SieveSpec(name: "elsif", isTest: false, tests: .one, block: true),
            SieveSpec(name: "else", isTest: false, block: true),
            SieveSpec(name: "stop", isTest: false),
            SieveSpec(
                name: "keep", isTest: false,
                tags: [SieveTagSpec(name: "flags", extensions: ["imap4flags"], value: .stringList, group: "flags")]),
            SieveSpec(name: "discard", isTest: false),
            SieveSpec(
                name: "redirect", isTest: false,
                tags: [SieveTagSpec(name: "copy", extensions: ["copy"], group: "copy")], positional: [.string]),
            SieveSpec(
                name: "fileinto", extensions: ["fileinto"], isTest: false,
                tags: [
                    SieveTagSpec(name: "copy", extensions: ["copy"], group: "copy"),
                    SieveTagSpec(name: "flags", extensions: ["imap4flags"], value: .stringList, group: "flags"),
                    SieveTagSpec(name: "create", extensions: ["mailbox"], group: "create"),
                    SieveTagSpec(name: "mailboxid", extensions: ["mailboxid"], value: .string, group: "mailboxid"),
                ], positional: [.string]),
            SieveSpec(name: "reject", extensions: ["reject"], isTest: false, positional: [.string]),
            SieveSpec(name: "ereject", extensions: ["ereject"], isTest: false, positional: [.string]),
            SieveSpec(
                name: "set", extensions: ["variables"], isTest: false,
                tags: [
                    SieveTagSpec(name: "lower", group: "case"), SieveTagSpec(name: "upper", group: "case"),
                    SieveTagSpec(name: "lowerfirst", group: "first"), SieveTagSpec(name: "upperfirst", group: "first"),
                    SieveTagSpec(name: "quotewildcard", group: "quote"), SieveTagSpec(name: "length", group: "length"),
                ], positional: [.string, .string]),
            SieveSpec(
                name: "vacation", extensions: ["vacation"], isTest: false,
                tags: [
                    SieveTagSpec(name: "days", value: .number, group: "period"),
                    SieveTagSpec(name: "seconds", extensions: ["vacation-seconds"], value: .number, group: "period"),
                    SieveTagSpec(name: "subject", value: .string, group: "subject"),
                    SieveTagSpec(name: "from", value: .string, group: "from"),
                    SieveTagSpec(name: "addresses", value: .stringList, group: "addresses"),
                    SieveTagSpec(name: "mime", group: "mime"),
                    SieveTagSpec(name: "handle", value: .string, group: "handle"),
                ], positional: [.string]),
            SieveSpec(
                name: "include", extensions: ["include"], isTest: false,
                tags: [
                    SieveTagSpec(name: "personal", group: "location"), SieveTagSpec(name: "global", group: "location"),
                    SieveTagSpec(name: "once", group: "once"), SieveTagSpec(name: "optional", group: "optional"),
                ], positional: [.string]),
            SieveSpec(name: "return", extensions: ["include"], isTest: false),
            SieveSpec(name: "global", extensions: ["include"], isTest: false, positional: [.stringList]),
        ]
        for name in ["setflag", "addflag", "removeflag"] {
            c.append(
                SieveSpec(
                    name: name, extensions: ["imap4flags"], isTest: false, positional: [.string, .stringList],
                    optionalLeading: 1))
        }
        return Dictionary(uniqueKeysWithValues: c.map { ($0.name, $0) })
    }()

    static let tests: [String: SieveSpec] = {
        let t: [SieveSpec] = [
            SieveSpec(
                name: "address", isTest: true, tags: matching + addressPart + index,
                positional: [.stringList, .stringList]),
            SieveSpec(
                name: "envelope", extensions: ["envelope"], isTest: true, tags: matching + addressPart,
                positional: [.stringList, .stringList]),
            SieveSpec(name: "header", isTest: true, tags: matching + index, positional: [.stringList, .stringList]),
            SieveSpec(name: "exists", isTest: true, positional: [.stringList]),
            SieveSpec(
                name: "size", isTest: true,
                tags: [
                    SieveTagSpec(name: "over", value: .number, group: "size"),
                    SieveTagSpec(name: "under", value: .number, group: "size"),
                ]),
            SieveSpec(name: "allof", isTest: true, tests: .list),
            SieveSpec(name: "anyof", isTest: true, tests: .list),
            SieveSpec(name: "not", isTest: true, tests: .one),
            SieveSpec(name: "true", isTest: true),
            SieveSpec(name: "false", isTest: true),
            SieveSpec(
                name: "hasflag", extensions: ["imap4flags"], isTest: true, tags: matching,
                positional: [.stringList, .stringList], optionalLeading: 1),
            SieveSpec(
                name: "body", extensions: ["body"], isTest: true,
                tags: matching + [
                    SieveTagSpec(name: "raw", group: "transform"),
                    SieveTagSpec(name: "content", value: .stringList, group: "transform"),
                    SieveTagSpec(name: "text", group: "transform"),
                ], positional: [.stringList]),
            SieveSpec(
                name: "string", extensions: ["variables"], isTest: true, tags: matching,
                positional: [.stringList, .stringList]),
            SieveSpec(
                name: "date", extensions: ["date"], isTest: true,
                tags: matching + index + [
                    SieveTagSpec(name: "zone", value: .string, group: "zone"),
                    SieveTagSpec(name: "originalzone", group: "zone"),
                ], positional: [.string, .string, .stringList]),
            SieveSpec(
                name: "currentdate", extensions: ["date"], isTest: true,
                tags: matching + [SieveTagSpec(name: "zone", value: .string, group: "zone")],
                positional: [.string, .stringList]),
            SieveSpec(name: "mailboxexists", extensions: ["mailbox"], isTest: true, positional: [.stringList]),
            SieveSpec(name: "mailboxidexists", extensions: ["mailboxid"], isTest: true, positional: [.stringList]),
            // RFC 5490 §3.3-§3.4 and §4.1-§4.2.
            SieveSpec(
                name: "metadata", extensions: ["mboxmetadata"], isTest: true, tags: matching,
                positional: [.string, .string, .stringList]),
            SieveSpec(
                name: "metadataexists", extensions: ["mboxmetadata"], isTest: true, positional: [.string, .stringList]),
            SieveSpec(
                name: "servermetadata", extensions: ["servermetadata"], isTest: true, tags: matching,
                positional: [.string, .stringList]),
            SieveSpec(
                name: "servermetadataexists", extensions: ["servermetadata"], isTest: true, positional: [.stringList]),
            SieveSpec(
                name: "duplicate", extensions: ["duplicate"], isTest: true,
                tags: [
                    SieveTagSpec(name: "handle", value: .string, group: "handle"),
                    SieveTagSpec(name: "header", value: .string, group: "id"),
                    SieveTagSpec(name: "uniqueid", value: .string, group: "id"),
                    SieveTagSpec(name: "seconds", value: .number, group: "seconds"),
                    SieveTagSpec(name: "last", group: "last"),
                ]),
            SieveSpec(
                name: "spamtest", extensions: ["spamtest", "spamtestplus"], isTest: true,
                tags: matching + [SieveTagSpec(name: "percent", extensions: ["spamtestplus"], group: "percent")],
                positional: [.string]),
            SieveSpec(
                name: "virustest", extensions: ["virustest"], isTest: true, tags: matching, positional: [.string]),
            SieveSpec(
                name: "environment", extensions: ["environment"], isTest: true, tags: matching,
                positional: [.string, .stringList]),
        ]
        return Dictionary(uniqueKeysWithValues: t.map { ($0.name, $0) })
    }()
}
