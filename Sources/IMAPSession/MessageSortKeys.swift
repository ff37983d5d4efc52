import Foundation
import IMAPWire
import MIME
import MailStore

/// What SORT (RFC 5256 §3, RFC 5957) and THREAD (RFC 5256 §2) compare for one message, derived from
/// its header once and kept in the store as `SortKeyData`. The texts are already in comparison form:
/// the i;unicode-casemap fold of RFC 5051 (`UnicodeCaseMap`), compared octet by octet. ARRIVAL and
/// SIZE come from the store's message metadata, not from here.
struct MessageSortKeys: Sendable, Equatable {
    /// Bump when what is derived or how it is encoded changes: kept keys of another version are remade.
    static let version = 1

    /// The folded base subject (RFC 5256 §2.1).
    var subject: [UInt8] = []
    /// Whether base subject extraction removed a reply or forward marker.
    var isReplyOrForward = false
    /// The folded addr-mailbox (local part) of the first From, To and Cc address (RFC 5256 §3).
    var from: [UInt8] = []
    var to: [UInt8] = []
    var cc: [UInt8] = []
    /// The folded display name of the first From and To address, or its addr-spec when it has none
    /// (RFC 5957 §2.1).
    var displayFrom: [UInt8] = []
    var displayTo: [UInt8] = []
    /// The Date field as seconds since 1970 UTC; nil when absent or unreadable (then the internal date counts).
    var sentDate: Int64?
    /// Message-ID's msg-id, without its angle brackets; empty when there is none.
    var messageID: [UInt8] = []
    /// The msg-ids of References, oldest first; when it has none, the first of In-Reply-To (RFC 5256 §2.2).
    var references: [[UInt8]] = []

    /// The keys of a message from its header (the bytes may go on into the body; the header's end is
    /// found by the parser).
    init(header bytes: [UInt8], limits: IMAPLimits = .default) {
        var fields: [String: [UInt8]] = [:]
        let wanted: Set<String> = ["subject", "from", "to", "cc", "date", "message-id", "references", "in-reply-to"]
        bytes.withUnsafeBufferPointer { b in
            for field in HeaderParser.parse(b, in: 0..<b.count).fields {
                let name = String(decoding: b[field.name], as: UTF8.self).lowercased()
                // The first of each field counts.
                if wanted.contains(name), fields[name] == nil { fields[name] = HeaderField.unfold(b, field.value) }
            }
        }
        let base = BaseSubject.extract(fields["subject"].map(EncodedWords.decode) ?? "")
        subject = UnicodeCaseMap.fold(base.subject)
        isReplyOrForward = base.isReplyOrForward
        let fromAddress = fields["from"].flatMap(Self.firstAddress)
        let toAddress = fields["to"].flatMap(Self.firstAddress)
        from = UnicodeCaseMap.fold(utf8: fromAddress?.mailbox ?? [])
        to = UnicodeCaseMap.fold(utf8: toAddress?.mailbox ?? [])
        cc = UnicodeCaseMap.fold(utf8: fields["cc"].flatMap(Self.firstAddress)?.mailbox ?? [])
        displayFrom = Self.display(fromAddress)
        displayTo = Self.display(toAddress)
        sentDate = fields["date"].flatMap { SentDate.seconds(String(decoding: $0, as: UTF8.self)) }
        messageID = fields["message-id"].flatMap { Self.messageIDs($0).first } ?? []
        var ids = fields["references"].map(Self.messageIDs) ?? []
        if ids.isEmpty, let first = fields["in-reply-to"].flatMap({ Self.messageIDs($0).first }) { ids = [first] }
        references = Array(ids.suffix(limits.maxThreadReferences))
    }

    init() {}

    /// The first address that is not a group marker.
    static func firstAddress(_ value: [UInt8]) -> EnvelopeAddress? {
        AddressParser.parse(value).first { !$0.isGroupStart && !$0.isGroupEnd }
    }

    /// RFC 5957 §2.1: the decoded display name when there is a non-empty one, else the addr-spec.
    static func display(_ address: EnvelopeAddress?) -> [UInt8] {
        guard let address else { return [] }
        if let name = address.name {
            let decoded = EncodedWords.decode(name).trimmingCharacters(in: .whitespaces)
            if !decoded.isEmpty { return UnicodeCaseMap.fold(decoded) }
        }
        var spec = address.mailbox ?? []
        if let host = address.host { spec += [UInt8(ascii: "@")] + host }
        return UnicodeCaseMap.fold(utf8: spec)
    }

    /// The `<...>` ids in a field, brackets and white space removed; text outside brackets is ignored.
    static func messageIDs(_ value: [UInt8]) -> [[UInt8]] {
        var ids: [[UInt8]] = []
        var current: [UInt8]?
        for b in value {
            if b == UInt8(ascii: "<") {
                current = []
            } else if b == UInt8(ascii: ">") {
                if let id = current, !id.isEmpty { ids.append(id) }
                current = nil
            } else if b != 0x20 && b != 0x09 && b != 0x0D && b != 0x0A {
                current?.append(b)
            }
        }
        return ids
    }
}

// MARK: - Stored form

extension MessageSortKeys {
    /// As `SortKeyData`: each text as a 32-bit length and its bytes, the flags and date in fixed fields.
    var stored: SortKeyData {
        var out: [UInt8] = []
        func putNumber(_ value: UInt64, _ width: Int) {
            for shift in stride(from: (width - 1) * 8, through: 0, by: -8) {
                out.append(UInt8(truncatingIfNeeded: value >> shift))
            }
        }
        func putText(_ text: [UInt8]) {
            putNumber(UInt64(text.count), 4)
            out += text
        }
        out.append((isReplyOrForward ? 1 : 0) | (sentDate != nil ? 2 : 0))
        putNumber(UInt64(bitPattern: sentDate ?? 0), 8)
        for text in [subject, from, to, cc, displayFrom, displayTo, messageID] { putText(text) }
        putNumber(UInt64(references.count), 4)
        for id in references { putText(id) }
        return SortKeyData(version: Self.version, data: out)
    }

    /// Reads `stored`'s form; nil for another version or damaged data.
    init?(stored: SortKeyData) {
        guard stored.version == Self.version else { return nil }
        let data = stored.data
        var i = 0
        func get(_ width: Int) -> UInt64? {
            guard i + width <= data.count else { return nil }
            var value: UInt64 = 0
            for _ in 0..<width {
                value = value << 8 | UInt64(data[i])
                i += 1
            }
            return value
        }
        func text() -> [UInt8]? {
            guard let n = get(4), i + Int(n) <= data.count else { return nil }
            defer { i += Int(n) }
            return Array(data[i..<i + Int(n)])
        }
        guard let flags = get(1), let date = get(8) else { return nil }
        isReplyOrForward = flags & 1 != 0
        sentDate = flags & 2 != 0 ? Int64(bitPattern: date) : nil
        var texts: [[UInt8]] = []
        for _ in 0..<7 {
            guard let t = text() else { return nil }
            texts.append(t)
        }
        (subject, from, to, cc, displayFrom, displayTo, messageID) =
            (texts[0], texts[1], texts[2], texts[3], texts[4], texts[5], texts[6])
        guard let count = get(4), count <= UInt64(data.count) else { return nil }
        for _ in 0..<count {
            guard let id = text() else { return nil }
            references.append(id)
        }
        guard i == data.count else { return nil }
    }
}
