import IMAPWire
import MailStore
import Telemetry

/// REPLACE and UID REPLACE (RFC 8508): an APPEND of one message that, in the same store transaction,
/// expunges a message of the selected mailbox.
extension IMAPSession {
    /// RFC 8508 §3.2, §3.3: the message is streamed like an APPEND's; the replaced message is resolved
    /// now. In the selected state only, and not when it was selected read-only (the expunge needs
    /// write access). A sequence number out of range is BAD (like FETCH's, RFC 9051 §6.4.5); a UID that
    /// is not in the mailbox is NO. Either way the message literal is refused.
    func replaceStart(tag: String, target: UInt32, uid: Bool, mailbox: IMAPWire.MailboxName) async -> ResumeDirective {
        let directive = await appendStart(tag: tag, mailbox: mailbox, command: uid ? .uidReplace : .replace)
        guard var progress = append else { return directive }
        if account != nil && progress.failure == nil {
            if selected == nil {
                progress.failure = (.bad, nil, "Select a mailbox first")
            } else if !uid && extensions.uidOnly {
                progress.failure = (.bad, .uidRequired, "UIDONLY is enabled: name messages by UID")
            } else {
                // UID commands see other sessions' expunges first (RFC 9051 §7.5.1).
                if uid { await reportUpdates(allowExpunge: true) }
                progress.replacing = replacedUID(target, uid: uid)
                if selected?.readOnly == true {
                    progress.failure = (.no, .readOnly, "The mailbox is read-only")
                } else if progress.replacing == nil {
                    progress.failure =
                        uid ? (.no, nil, "No message with that UID") : (.bad, nil, "Invalid message sequence number")
                }
            }
        }
        append = progress
        return directive
    }

    private func replacedUID(_ target: UInt32, uid: Bool) -> UID? {
        guard let view = selected else { return nil }
        if uid { return view.sequenceNumber(of: UID(target)) == nil ? nil : UID(target) }
        return view.uid(at: Int(target))
    }

    /// RFC 8508 §3.4: the new message's APPENDUID in an untagged OK, then the replaced message's
    /// EXPUNGE (or VANISHED), then the tagged OK.
    func completeReplace(_ progress: AppendState, into mailbox: MailboxInfo, replacing uid: UID) async {
        guard let view = selected, let message = progress.staged.first, progress.staged.count == 1 else {
            progress.abort()
            tagged(progress.tag, .bad, text: "REPLACE takes exactly one message")
            return
        }
        let name = running?.name == .uidReplace ? "UID REPLACE" : "REPLACE"
        do {
            let result = try await store.replace(
                account: accountID, mailbox: mailbox.id, message: message, replacing: view.id, uid: uid)
            send(
                .condition(
                    .ok,
                    code: .appendUID(
                        uidValidity: result.appended.uidValidity, uids: Self.sequenceSet(ordered: [result.appended.uid])
                    ),
                    text: "Replacement Message ID"))
            reportExpunged(result.expunged)
            await reportUpdates(allowExpunge: true)
            tagged(progress.tag, .ok, text: "\(name) completed")
        } catch {
            fail(progress.tag, error, command: name)
        }
    }
}
