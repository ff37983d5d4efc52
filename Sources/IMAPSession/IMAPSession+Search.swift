import IMAPWire
import MailStore
import NIOCore

/// SEARCH and UID SEARCH (RFC 9051 §6.4.4; RFC 3501 §7.2.5 for the `* SEARCH` answer; RFC 4731 RETURN).
extension IMAPSession {
    static let supportedCharsets = ["US-ASCII", "UTF-8"]

    func search(_ tag: String, _ command: SearchCommand) async -> ResumeDirective {
        guard let view = selected else { return .next }
        if let charset = command.charset, !Self.supportedCharsets.contains(charset.uppercased()) {
            tagged(tag, .no, code: .badCharset(Self.supportedCharsets), text: "Unsupported charset")
            return .next
        }
        if let options = command.returnOptions, options.contains(.save) {
            tagged(tag, .bad, text: "RETURN (SAVE) is not supported")
            return .next
        }
        do {
            let evaluator = SearchEvaluator(messageCount: view.count, lastUID: view.lastUID ?? 0)
            let needsContent = SearchEvaluator.needsContent(command.key)
            var hits: [(seq: Int, uid: UID)] = []
            if let first = view.uids.first, let last = view.uids.last {
                let metas = try await store.messages(account: accountID, mailbox: view.id, uids: UIDSet(ranges: [first...last]))
                for meta in metas {
                    guard let seq = view.sequenceNumber(of: meta.uid) else { continue }
                    var message = SearchEvaluator.Message(
                        sequenceNumber: seq, meta: meta, recent: view.recent.contains(meta.uid), content: nil)
                    if needsContent {
                        guard let data = try await store.content(account: accountID, mailbox: view.id, uid: meta.uid) else { continue }
                        message.content = MessageText([UInt8](data))
                    }
                    if evaluator.matches(command.key, message) { hits.append((seq, meta.uid)) }
                }
            }
            let numbers = hits.map { command.uid ? UInt32($0.uid) : UInt32($0.seq) }
            if let options = command.returnOptions {
                writeESearch(tag: tag, numbers: numbers, options: options.isEmpty ? [.all] : options, uid: command.uid)
            } else {
                untagged((["SEARCH"] + numbers.map(String.init)).joined(separator: " "))
            }
            await reportUpdates(allowExpunge: command.uid)
            tagged(tag, .ok, text: command.uid ? "UID SEARCH completed" : "SEARCH completed")
        } catch {
            fail(tag, error, command: "SEARCH")
        }
        return .next
    }

    /// `* ESEARCH (TAG "t") [UID] MIN n MAX n COUNT n ALL set` (RFC 4731 §3.1).
    private func writeESearch(tag: String, numbers: [UInt32], options: [SearchReturnOption], uid: Bool) {
        out.writeString("* ESEARCH (TAG ")
        out.writeIMAPString(tag)
        out.writeString(")")
        if uid { out.writeString(" UID") }
        if !numbers.isEmpty {
            if options.contains(.min), let min = numbers.min() { out.writeString(" MIN \(min)") }
            if options.contains(.max), let max = numbers.max() { out.writeString(" MAX \(max)") }
        }
        if options.contains(.count) { out.writeString(" COUNT \(numbers.count)") }
        if options.contains(.all) && !numbers.isEmpty { out.writeString(" ALL ")
            out.writeSequenceSet(Self.sequenceSet(UIDSet(numbers).ranges)) }
        out.writeString("\r\n")
    }
}
