import Foundation
import NIOCore

/// Writes server responses: the only place where response text is made (RFC 9051 §7, §9).
///
/// Strings are written the way IMAP servers usually write them: an atom where the grammar allows an
/// atom and the bytes form one, a quoted string when every byte can be quoted, else a literal. Names
/// of mailboxes with 8-bit bytes (UTF-8, which a session only sends once the client enabled it, RFC
/// 9051 §5.1 / RFC 6855 §3) are quoted UTF-8.
public struct ResponseEncoder: Sendable {
    public init() {}

    /// Encodes `response` into a new buffer.
    public func encode(_ response: ServerResponse) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: 128)
        encode(response, into: &buffer)
        return buffer
    }

    public func encode(_ response: ServerResponse, into b: inout ByteBuffer) {
        switch response {
        case .tagged(let tagged):
            // response-tagged = tag SP resp-cond-state CRLF
            b.writeString(tagged.tag)
            b.writeString(" ")
            writeCondition(tagged.status, code: tagged.code, text: tagged.text, into: &b)
        case .untagged(let untagged):
            encode(untagged, into: &b)
            return
        case .continuation(let continuation):
            // continue-req = "+" SP (resp-text / base64) CRLF
            b.writeString("+ ")
            switch continuation {
            case .text(let text): b.writeString(ResponseText.sanitized(text))
            case .base64(let bytes): b.writeString(Data(bytes).base64EncodedString())
            }
        }
        b.writeString("\r\n")
    }

    /// `"*" SP response-data CRLF`
    public func encode(_ response: UntaggedResponse, into b: inout ByteBuffer) {
        b.writeString("* ")
        switch response {
        case .condition(let status, let code, let text):
            writeCondition(status, code: code, text: text, into: &b)
        case .capability(let names):
            b.writeString("CAPABILITY")
            writeAtoms(names, into: &b)
        case .enabled(let names):
            b.writeString("ENABLED")
            writeAtoms(names, into: &b)
        case .flags(let flags):
            b.writeString("FLAGS ")
            b.writeFlagList(flags)
        case .list(let list):
            writeList(list, into: &b)
        case .mailboxStatus(let status):
            writeStatus(status, into: &b)
        case .exists(let n):
            b.writeString("\(n) EXISTS")
        case .recent(let n):
            b.writeString("\(n) RECENT")
        case .expunge(let n):
            b.writeString("\(n) EXPUNGE")
        case .vanished(let earlier, let uids):
            b.writeString(earlier ? "VANISHED (EARLIER) " : "VANISHED ")
            b.writeSequenceSet(uids)
        case .fetch(let fetch):
            b.writeString(fetch.uidFetch ? "\(fetch.sequenceNumber) UIDFETCH (" : "\(fetch.sequenceNumber) FETCH (")
            for (index, attribute) in fetch.attributes.enumerated() {
                if index > 0 { b.writeString(" ") }
                encode(attribute, into: &b)
            }
            b.writeString(")")
        case .search(let search):
            b.writeString("SEARCH")
            writeNumbers(search.numbers, into: &b)
            if let modSeq = search.modSeq { b.writeString(" (MODSEQ \(modSeq))") }
        case .esearch(let esearch):
            writeESearch(esearch, into: &b)
        case .sort(let numbers):
            b.writeString("SORT")
            writeNumbers(numbers, into: &b)
        case .thread(let thread):
            writeThread(thread, into: &b)
        case .id(let parameters):
            writeID(parameters, into: &b)
        case .namespace(let namespace):
            b.writeString("NAMESPACE ")
            writeNamespaces(namespace.personal, into: &b)
            b.writeString(" ")
            writeNamespaces(namespace.otherUsers, into: &b)
            b.writeString(" ")
            writeNamespaces(namespace.shared, into: &b)
        case .quota(let quota):
            // quota-list = "(" quota-resource *(SP quota-resource) ")"
            b.writeString("QUOTA ")
            b.writeQuotaRoot(quota.root)
            b.writeString(" (")
            b.writeString(quota.resources.map { "\($0.name) \($0.usage) \($0.limit)" }.joined(separator: " "))
            b.writeString(")")
        case .quotaRoot(let mailbox, let roots):
            b.writeString("QUOTAROOT ")
            writeMailbox(mailbox, into: &b)
            for root in roots {
                b.writeString(" ")
                b.writeQuotaRoot(root)
            }
        case .metadata(let metadata):
            b.writeString("METADATA ")
            writeMailbox(metadata.mailbox, into: &b)
            b.writeString(" ")
            b.writeMetadataEntryValues(metadata.entries)
        }
        b.writeString("\r\n")
    }

    // MARK: Pieces

    /// resp-cond-state / resp-cond-bye / resp-cond-auth: status SP resp-text, where
    /// resp-text = ["[" resp-text-code "]" SP] text and an empty text is written as the status word.
    private func writeCondition(_ status: ResponseStatus, code: ResponseCode?, text: String, into b: inout ByteBuffer) {
        b.writeString(status.rawValue)
        b.writeString(" ")
        if let code {
            b.writeString("[")
            b.writeResponseCode(code)
            b.writeString("] ")
        }
        let sanitized = ResponseText.sanitized(text)
        b.writeString(sanitized.isEmpty ? status.rawValue : sanitized)
    }

    /// `*(SP nz-number)`. A big mailbox's SEARCH answer has a number per message: all of them are
    /// written through one pointer, not one ByteBuffer write (with its checks) per number.
    private func writeNumbers(_ numbers: [UInt32], into b: inout ByteBuffer) {
        guard !numbers.isEmpty else { return }
        b.writeWithUnsafeMutableBytes(minimumWritableBytes: numbers.count * 11) { buffer in
            var scratch = ScratchWriter(
                base: buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), capacity: buffer.count)
            for n in numbers {
                scratch.put(" ")
                scratch.decimal(UInt64(n))
            }
            return scratch.count
        }
    }

    /// `"(" element *(separator element) ")"`, or NIL for an empty list when `nilWhenEmpty`: the list
    /// shape most of the grammar's parenthesised values share.
    func writeList<T>(
        _ items: [T], nilWhenEmpty: Bool = true, separator: StaticString = " ", into b: inout ByteBuffer,
        _ element: (T, inout ByteBuffer) -> Void
    ) {
        if items.isEmpty && nilWhenEmpty {
            b.writeString("NIL")
            return
        }
        b.writeString("(")
        for (index, item) in items.enumerated() {
            if index > 0 { b.writeStaticString(separator) }
            element(item, &b)
        }
        b.writeString(")")
    }

    private func writeAtoms(_ atoms: [String], into b: inout ByteBuffer) {
        for atom in atoms {
            b.writeString(" ")
            b.writeString(atom)
        }
    }

    /// mailbox = "INBOX" / astring; 8-bit names are quoted UTF-8.
    func writeMailbox(_ name: MailboxName, into b: inout ByteBuffer) {
        if name.bytes.contains(where: { $0 >= 0x80 }) {
            b.writeQuotedUTF8(String(decoding: name.bytes, as: UTF8.self))
        } else {
            b.writeMailboxName(name)
        }
    }

    /// DQUOTE QUOTED-CHAR DQUOTE / nil
    private func writeDelimiter(_ delimiter: UInt8?, into b: inout ByteBuffer) {
        guard let delimiter else {
            b.writeString("NIL")
            return
        }
        b.writeString("\"")
        if delimiter == UInt8(ascii: "\"") || delimiter == UInt8(ascii: "\\") { b.writeString("\\") }
        b.writeInteger(delimiter)
        b.writeString("\"")
    }

    /// ("LIST" / "LSUB") SP mailbox-list
    private func writeList(_ list: ListResponse, into b: inout ByteBuffer) {
        b.writeString(list.kind.rawValue)
        b.writeString(" (")
        b.writeString(list.attributes.joined(separator: " "))
        b.writeString(") ")
        writeDelimiter(list.delimiter, into: &b)
        b.writeString(" ")
        writeMailbox(list.name, into: &b)
        guard !list.extended.isEmpty else { return }
        // mbox-list-extended = "(" [mbox-list-extended-item *(SP mbox-list-extended-item)] ")"
        b.writeString(" ")
        writeList(list.extended, into: &b) { item, b in
            switch item {
            case .childInfo(let options):
                b.writeString("\"CHILDINFO\" ")
                writeList(options, nilWhenEmpty: false, into: &b) { option, b in b.writeIMAPString(option) }
            case .oldName(let name):
                b.writeString("\"OLDNAME\" (")
                writeMailbox(name, into: &b)
                b.writeString(")")
            }
        }
    }

    /// "STATUS" SP mailbox SP "(" [status-att-val *(SP status-att-val)] ")"
    private func writeStatus(_ status: MailboxStatusResponse, into b: inout ByteBuffer) {
        b.writeString("STATUS ")
        writeMailbox(status.name, into: &b)
        b.writeString(" ")
        writeList(status.items, nilWhenEmpty: false, into: &b) { item, b in
            switch item {
            case .number(let attribute, let value): b.writeString("\(attribute.rawValue) \(value)")
            case .mailboxID(let id): b.writeString("MAILBOXID (\(id))")
            }
        }
    }

    /// esearch-response = "ESEARCH" [search-correlator] [SP "UID"] *(SP search-return-data)
    private func writeESearch(_ e: ESearchResponse, into b: inout ByteBuffer) {
        b.writeString("ESEARCH")
        if let tag = e.tag {
            b.writeString(" (TAG ")
            b.writeIMAPString(tag)
            b.writeString(")")
        }
        if e.uid { b.writeString(" UID") }
        if let min = e.min { b.writeString(" MIN \(min)") }
        if let max = e.max { b.writeString(" MAX \(max)") }
        if let count = e.count { b.writeString(" COUNT \(count)") }
        if let all = e.all {
            b.writeString(" ALL ")
            b.writeSequenceSet(all)
        }
        if let partial = e.partial {
            b.writeString(" PARTIAL (\(partial.range.first):\(partial.range.last) ")
            if let set = partial.set { b.writeSequenceSet(set) } else { b.writeString("NIL") }
            b.writeString(")")
        }
        if let modSeq = e.modSeq { b.writeString(" MODSEQ \(modSeq)") }
    }

    /// id-params-list = "(" *(string SP nstring) ")" / nil
    private func writeID(_ parameters: [IDParameter]?, into b: inout ByteBuffer) {
        b.writeString("ID ")
        guard let parameters else {
            b.writeString("NIL")
            return
        }
        writeList(parameters, nilWhenEmpty: false, into: &b) { parameter, b in
            b.writeIMAPString(parameter.key)
            b.writeString(" ")
            b.writeIMAPNString(parameter.value)
        }
    }

    /// namespace = nil / "(" 1*namespace-descr ")"
    private func writeNamespaces(_ list: [NamespaceResponse.Description], into b: inout ByteBuffer) {
        writeList(list, separator: "", into: &b) { description, b in
            b.writeString("(")
            b.writeIMAPString(description.prefix)
            b.writeString(" ")
            writeDelimiter(description.delimiter, into: &b)
            b.writeString(")")
        }
    }
}
