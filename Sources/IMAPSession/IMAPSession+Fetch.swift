import Foundation
import IMAPWire
import MailStore
import NIOCore

/// FETCH and UID FETCH (RFC 9051 §6.4.5, §7.5.2; RFC 3501 §6.4.5 for the RFC822.* items).
extension IMAPSession {
    func fetch(_ tag: String, _ set: SequenceSet, _ attributes: [FetchAttribute], modifiers: [FetchModifier], uid: Bool)
        async -> ResumeDirective
    {
        guard let view = selected else { return .next }
        var changedSince: ModSeq?
        var vanished = false
        for modifier in modifiers {
            switch modifier {
            case .changedSince(let value): changedSince = value
            case .vanished: vanished = true
            }
        }
        // RFC 7162 §3.2.6: VANISHED needs QRESYNC, UID FETCH and CHANGEDSINCE.
        if vanished && !(qresyncEnabled && uid && changedSince != nil) {
            tagged(tag, .bad, text: "VANISHED needs QRESYNC enabled, UID FETCH and CHANGEDSINCE")
            return .next
        }
        if let unsupported = attributes.first(where: { !Self.isSupported($0) }) {
            tagged(tag, .no, code: .cannot, text: "\(Self.describe(unsupported)) is not available yet on this server")
            return .next
        }
        let pairs: [(seq: Int, uid: UID)]
        do {
            pairs = try resolve(set, uid: uid)
        } catch {
            tagged(tag, .bad, text: error.message)
            return .next
        }
        var items = attributes
        if uid && !items.contains(.uid) { items.insert(.uid, at: 0) }
        if changedSince != nil || items.contains(.modSeq) { condstoreEnabled = true }
        // CHANGEDSINCE implies MODSEQ (RFC 7162 §3.1.4.1). Unsolicited FETCH responses carry MODSEQ once
        // CONDSTORE is on (`modSeqItem`); a FETCH the client asked for returns what it asked for.
        if changedSince != nil && !items.contains(.modSeq) {
            items.append(.modSeq)
        }
        let needsContent = items.contains { Self.needsContent($0) }
        let setsSeen = !view.readOnly && items.contains { Self.setsSeen($0) }
        do {
            if vanished, let since = changedSince {
                try await writeVanishedEarlier(set: set, since: since)
            }
            var metas: [UID: MessageMeta] = [:]
            if !pairs.isEmpty {
                for meta in try await store.messages(account: accountID, mailbox: view.id, uids: UIDSet(pairs.map(\.uid))) {
                    metas[meta.uid] = meta
                }
            }
            var pairs = pairs
            if let since = changedSince {
                pairs = pairs.filter { metas[$0.uid].map { $0.modSeq > since } ?? false }
            }
            // Implicit \Seen (RFC 9051 §6.4.5, BODY[]): committed before anything is reported, and
            // FLAGS is then returned for those messages even when not asked for.
            var seenNow: Set<UID> = []
            if setsSeen {
                let unseen = metas.values.filter { !$0.flags.system.contains(.seen) }.map(\.uid)
                if !unseen.isEmpty {
                    let result = try await store.store(
                        account: accountID, mailbox: view.id, uids: UIDSet(unseen), operation: .add,
                        flags: MessageFlags(system: .seen), unchangedSince: nil)
                    for update in result.updated {
                        metas[update.uid]?.flags = update.flags
                        metas[update.uid]?.modSeq = update.modSeq
                        selected?.reported[update.uid] = update.modSeq
                        seenNow.insert(update.uid)
                    }
                }
            }
            var missing = false
            for (seq, messageUID) in pairs {
                guard let meta = metas[messageUID] else {
                    missing = true
                    continue
                }
                var content: MessageText?
                if needsContent {
                    guard let data = try await store.content(account: accountID, mailbox: view.id, uid: messageUID) else {
                        missing = true
                        continue
                    }
                    content = MessageText([UInt8](data))
                }
                var itemsOut = items
                if seenNow.contains(messageUID) && !itemsOut.contains(.flags) { itemsOut.append(.flags) }
                writeFetchResponse(seq: seq, meta: meta, content: content, items: itemsOut, view: view)
                await flushIfLarge()
            }
            await reportUpdates(allowExpunge: uid)
            if missing {
                tagged(tag, .no, code: .expungeIssued, text: "Some messages were expunged meanwhile")
            } else {
                tagged(tag, .ok, text: uid ? "UID FETCH completed" : "FETCH completed")
            }
        } catch {
            fail(tag, error, command: "FETCH")
        }
        return .next
    }

    private func writeFetchResponse(seq: Int, meta: MessageMeta, content: MessageText?, items: [FetchAttribute], view: SelectedMailbox) {
        out.writeString("* \(seq) FETCH (")
        for (index, item) in items.enumerated() {
            if index > 0 { out.writeString(" ") }
            switch item {
            case .uid:
                out.writeString("UID \(meta.uid)")
            case .flags:
                out.writeString("FLAGS " + flagText(meta.flags, uid: meta.uid))
            case .internalDate:
                out.writeString("INTERNALDATE ")
                out.writeInternalDate(meta.internalDate)
            case .rfc822Size:
                out.writeString("RFC822.SIZE \(meta.size)")
            case .modSeq:
                out.writeString("MODSEQ (\(meta.modSeq))")
            case .saveDate:
                out.writeString("SAVEDATE ")
                out.writeInternalDate(meta.saveDate)
            case .emailID:
                out.writeString("EMAILID (\(meta.emailID))")
            case .threadID:
                out.writeString("THREADID NIL")
            case .rfc822:
                out.writeString("RFC822 ")
                out.writeIMAPLiteral(content?.bytes ?? [])
            case .rfc822Header:
                out.writeString("RFC822.HEADER ")
                out.writeIMAPLiteral(Array(content?.header ?? []))
            case .rfc822Text:
                out.writeString("RFC822.TEXT ")
                out.writeIMAPLiteral(Array(content?.body ?? []))
            case .bodySection(_, let section, let partial):
                out.writeString("BODY")
                out.writeSection(section)
                var bytes = content.map { Self.sectionBytes($0, section) } ?? []
                if let partial {
                    out.writeString("<\(partial.offset)>")
                    bytes = Self.slice(bytes, partial)
                }
                out.writeString(" ")
                out.writeIMAPLiteral(bytes)
            case .envelope, .body, .bodyStructure, .binary, .binarySize:
                break  // refused before anything was written (isSupported)
            }
        }
        out.writeString(")\r\n")
    }

    /// `* VANISHED (EARLIER) uids`: the UIDs of `set` expunged after `since` (RFC 7162 §3.2.6, §3.2.10).
    func writeVanishedEarlier(set: SequenceSet, since: ModSeq) async throws {
        guard let view = selected, case .ranges(let ranges) = set else { return }
        let changes = try await store.changes(account: accountID, mailbox: view.id, since: since)
        let highest = max(changes.uidNext, 1) - 1
        var wanted = UIDSet()
        for range in ranges {
            func value(_ n: SequenceNumber) -> UID {
                if case .number(let v) = n { return v }
                return highest
            }
            let a = value(range.first)
            let b = value(range.last)
            wanted.insert(min(a, b)...max(a, b))
        }
        let gone = UIDSet(changes.expunged.filter { wanted.contains($0) })
        guard !gone.isEmpty else { return }
        out.writeString("* VANISHED (EARLIER) ")
        out.writeSequenceSet(Self.sequenceSet(gone.ranges))
        out.writeString("\r\n")
    }

    static func sectionBytes(_ message: MessageText, _ section: SectionSpec) -> [UInt8] {
        switch section.kind {
        case .complete: return message.bytes
        case .header: return Array(message.header)
        case .text: return Array(message.body)
        case .headerFields(let names): return message.headerFields(names, not: false)
        case .headerFieldsNot(let names): return message.headerFields(names, not: true)
        case .mime: return []
        }
    }

    /// `<offset.length>`: an offset past the end gives an empty string (RFC 9051 §6.4.5).
    static func slice(_ bytes: [UInt8], _ partial: PartialRange) -> [UInt8] {
        let start = min(Int(partial.offset), bytes.count)
        let end = min(start + Int(partial.length), bytes.count)
        return Array(bytes[start..<end])
    }

    /// Until the message model lands (MIME structure), structure items and part sections are refused
    /// with NO rather than answered wrongly.
    static func isSupported(_ item: FetchAttribute) -> Bool {
        switch item {
        case .envelope, .body, .bodyStructure, .binary, .binarySize: return false
        case .bodySection(_, let section, _): return section.part.isEmpty
        default: return true
        }
    }

    static func describe(_ item: FetchAttribute) -> String {
        switch item {
        case .envelope: return "ENVELOPE"
        case .body: return "BODY"
        case .bodyStructure: return "BODYSTRUCTURE"
        case .binary, .binarySize: return "BINARY"
        case .bodySection: return "Fetching a body part by number"
        default: return "This item"
        }
    }

    static func needsContent(_ item: FetchAttribute) -> Bool {
        switch item {
        case .rfc822, .rfc822Header, .rfc822Text, .bodySection: return true
        default: return false
        }
    }

    static func setsSeen(_ item: FetchAttribute) -> Bool {
        switch item {
        case .rfc822, .rfc822Text: return true
        case .bodySection(let peek, _, _): return !peek
        default: return false
        }
    }
}
