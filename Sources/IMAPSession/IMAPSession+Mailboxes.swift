import Foundation
import IMAPWire
import MailStore
import NIOCore

/// Commands of the authenticated state (RFC 9051 §6.3).
extension IMAPSession {
    var accountID: AccountID { state.loggedIn!.account }

    /// A wire mailbox name as the store spells it: modified UTF-7 decoded (RFC 3501 §5.1.3), or UTF-8
    /// taken as it is; INBOX in any case is INBOX; validated (no wildcards, controls, `..` and such).
    func storeName(_ wire: IMAPWire.MailboxName) throws -> String {
        let decoded: String
        // After ENABLE IMAP4rev2 or UTF8=ACCEPT names are plain UTF-8 ("&" is just a character).
        if wire.bytes.allSatisfy({ $0 < 0x80 }) && !(extensions.utf8MailboxNames) {
            do {
                decoded = try ModifiedUTF7.decode(wire.bytes)
            } catch {
                throw MailStoreError.invalidMailboxName("not valid modified UTF-7")
            }
        } else if let utf8 = wire.utf8String {
            decoded = utf8
        } else {
            throw MailStoreError.invalidMailboxName("not valid UTF-8")
        }
        return try MailboxPath.validated(decoded)
    }

    /// A mailbox name in a response: modified UTF-7 for IMAP4rev1 clients, UTF-8 (a quoted string)
    /// once IMAP4rev2 or UTF8=ACCEPT is enabled (RFC 9051 §5.1, RFC 6855 §3).
    func responseName(_ name: String) -> IMAPWire.MailboxName {
        extensions.utf8MailboxNames
            ? IMAPWire.MailboxName(Array(name.utf8)) : IMAPWire.MailboxName(ModifiedUTF7.encode(name))
    }

    /// SELECT and EXAMINE (RFC 9051 §6.3.2, §6.3.3; RFC 3501 §6.3.1 for the rev1 responses).
    func select(
        _ tag: String, _ wireName: IMAPWire.MailboxName, parameters: [SelectParameter], readOnly: Bool
    )
        async -> ResumeDirective
    {
        var qresync: QResyncParameters?
        for parameter in parameters {
            switch parameter {
            case .condstore:
                break
            case .qresync(let given):
                // RFC 7162 §3.2.5: QRESYNC must have been enabled first.
                guard extensions.qresync else {
                    tagged(tag, .bad, text: "QRESYNC must be enabled first (ENABLE QRESYNC)")
                    return .next
                }
                qresync = given
            }
        }
        // A SELECT always leaves the previously selected mailbox, even when it fails; with QRESYNC the
        // client is told so (RFC 7162 §3.2.11).
        if selected != nil {
            state.deselect()
            if extensions.qresync || extensions.rev2 {
                send(.condition(.ok, code: .closed, text: "Previous mailbox closed"))
            }
        }
        do {
            let name = try storeName(wireName)
            guard let info = try await store.mailbox(account: accountID, name: name) else {
                tagged(tag, .no, code: .nonExistent, text: "No such mailbox")
                return .next
            }
            if info.isNoSelect {
                tagged(tag, .no, code: .cannot, text: "This name is only a parent, it holds no messages")
                return .next
            }
            let generation = store.changeHub.generation(mailbox: info.id)
            // Registered before the mailbox is read: an expunge after the read is kept for this session.
            let viewer = store.changeHub.retention.view(account: accountID, mailbox: info.id)
            let snapshot = try await store.snapshot(account: accountID, opening: info, markRecentSeen: !readOnly)
            var view = SelectedMailbox(snapshot: snapshot, readOnly: readOnly)
            viewer.told(through: snapshot.info.highestModSeq)
            view.retentionViewer = viewer
            view.toldModSeq = snapshot.info.highestModSeq
            view.recent = claimRecent(snapshot.recentUIDs, in: info.id, present: snapshot.uids)
            view.hubGeneration = generation
            view.keywords.formUnion(snapshot.keywords)
            let firstUnseen = snapshot.firstUnseenUID.flatMap { view.sequenceNumber(of: $0) }
            var children = false
            if extensions.rev2 {
                // RFC 9051 §6.3.2: the mailbox's LIST response, with accurate attributes.
                children = try await store.listMailboxes(account: accountID)
                    .contains { $0.name != info.name && MailboxPath.isInside($0.name, ancestor: info.name) }
            }
            writeSelectResponses(view, snapshot: snapshot, firstUnseen: firstUnseen, hasChildren: children)
            state.select(view)
            if let qresync, qresync.uidValidity == snapshot.info.uidValidity {
                try await resynchronize(qresync)
            }
            tagged(
                tag, .ok, code: readOnly ? .readOnly : .readWrite,
                text: readOnly ? "EXAMINE completed" : "SELECT completed")
        } catch {
            fail(tag, error, command: "SELECT")
        }
        return .next
    }

    /// Records messages this session just claimed as \Recent in a mailbox, and returns all its recent
    /// ones there that are still `present`: those of an earlier SELECT in this session too (RFC 3501
    /// §2.3.2 — the session that saw them first keeps seeing them as recent, also through EXAMINE).
    /// IMAP4rev2 has no \Recent (RFC 9051 Appendix E).
    func claimRecent(_ claimed: [UID], in mailbox: MailboxID, present: [UID]) -> Set<UID> {
        guard !extensions.rev2 else { return [] }
        var claims = recentClaims[mailbox] ?? UIDSet()
        for uid in claimed { claims.insert(uid) }
        guard !claims.isEmpty else { return [] }
        recentClaims[mailbox] = claims
        // Both ascending: the present UIDs from the first claimed one on.
        guard let first = claims.ranges.first?.lowerBound else { return [] }
        var lo = 0
        var hi = present.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if present[mid] < first { lo = mid + 1 } else { hi = mid }
        }
        return Set(present[lo...].filter { claims.contains($0) })
    }

    /// SELECT's untagged responses. Not async on purpose: the response values are built in this
    /// ordinary stack frame instead of the session task's async frames, whose allocator keeps the
    /// memory of its largest frame for the life of the session (`Benchmarks/run.sh idle`).
    private func writeSelectResponses(
        _ view: SelectedMailbox, snapshot: MailboxSnapshot, firstUnseen: Int?, hasChildren: Bool
    ) {
        let info = snapshot.info
        writeFlagsResponses(view)
        send(.exists(UInt32(view.count)))
        if !extensions.rev2 { send(.recent(UInt32(view.recent.count))) }
        // UNSEEN names a sequence number: not under UIDONLY (RFC 9586 §3).
        if let firstUnseen, !extensions.rev2, !extensions.uidOnly {
            send(.condition(.ok, code: .unseen(UInt32(firstUnseen)), text: "First unseen message"))
        }
        if extensions.rev2 {
            var attributes = [hasChildren ? "\\HasChildren" : "\\HasNoChildren"]
            if let use = info.specialUse { attributes.append(use.rawValue) }
            send(.list(ListResponse(attributes: attributes, name: responseName(info.name))))
        }
        send(.condition(.ok, code: .uidValidity(info.uidValidity), text: "UIDs valid"))
        send(.condition(.ok, code: .uidNext(info.uidNext), text: "Predicted next UID"))
        send(.condition(.ok, code: .highestModSeq(info.highestModSeq), text: "Highest"))
        send(.condition(.ok, code: .mailboxID(Self.mailboxObjectID(info.id)), text: "Ok"))
    }

    /// QRESYNC's part of SELECT (RFC 7162 §3.2.5.1): what was expunged since the client's MODSEQ, as
    /// VANISHED (EARLIER) limited to the UIDs it knows, then the flags of what changed.
    private func resynchronize(_ parameters: QResyncParameters) async throws {
        guard let view = selected else { return }
        let changes = try await store.changes(account: accountID, mailbox: view.id, since: parameters.modSeq)
        var known: UIDSet?
        if case .ranges(let ranges)? = parameters.knownUIDs {
            var set = UIDSet()
            for range in ranges {
                func value(_ n: SequenceNumber) -> UID {
                    if case .number(let v) = n { return v }
                    return UID.max
                }
                set.insert(min(value(range.first), value(range.last))...max(value(range.first), value(range.last)))
            }
            known = set
        }
        let vanished = changes.expunged.filter { known?.contains($0) ?? true }
        if !vanished.isEmpty {
            send(.vanished(earlier: true, uids: Self.sequenceSet(UIDSet(vanished).ranges)))
        }
        for meta in changes.changed {
            guard let seq = view.sequenceNumber(of: meta.uid) else { continue }
            send(
                .fetch(
                    FetchResponse(
                        sequenceNumber: UInt32(seq),
                        attributes: [
                            .uid(meta.uid), .flags(wireFlags(meta.flags, uid: meta.uid)), .modSeq(meta.modSeq),
                        ])))
        }
    }

    /// FLAGS and PERMANENTFLAGS, listing the keywords in use (RFC 9051 §7.3.5, §7.1).
    func writeFlagsResponses(_ view: SelectedMailbox) {
        let flags: [Flag] = [.answered, .flagged, .deleted, .seen, .draft] + view.keywords.sorted().map(Flag.keyword)
        send(.flags(flags))
        if view.readOnly {
            send(
                .condition(
                    .ok, code: .permanentFlags([], allowsNewKeywords: false),
                    text: "No permanent flags in a read-only mailbox"))
        } else {
            send(.condition(.ok, code: .permanentFlags(flags, allowsNewKeywords: true), text: "Flags permitted"))
        }
    }

    /// Announces keywords that appeared since the last FLAGS response.
    func announceKeywords(_ flags: [MessageFlags]) {
        guard var view = selected else { return }
        let new = flags.reduce(into: Set<String>()) { $0.formUnion($1.keywords) }.subtracting(view.keywords)
        guard !new.isEmpty else { return }
        view.keywords.formUnion(new)
        state.select(view)
        writeFlagsResponses(view)
    }

    /// RFC 9051 §6.3.4. A trailing separator only says that children will follow; CREATE-SPECIAL-USE
    /// (RFC 6154 §3) is honoured for a single attribute.
    func create(_ tag: String, _ wireName: IMAPWire.MailboxName, parameters: [CreateParameter]) async -> ResumeDirective
    {
        do {
            var wire = wireName
            while wire.bytes.count > 1, wire.bytes.last == UInt8(ascii: "/") { wire.bytes.removeLast() }
            let name = try storeName(wire)
            if MailboxPath.isInbox(name) {
                tagged(tag, .no, code: .alreadyExists, text: "INBOX always exists")
                return .next
            }
            var specialUse: SpecialUse?
            for case .use(let uses) in parameters {
                guard uses.count <= 1 else {
                    tagged(tag, .no, code: .other("USEATTR", nil), text: "Only one special-use attribute per mailbox")
                    return .next
                }
                guard let text = uses.first else { continue }
                guard let use = SpecialUse.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() })
                else {
                    tagged(tag, .no, code: .other("USEATTR", nil), text: "Unsupported special-use attribute")
                    return .next
                }
                specialUse = use
            }
            if let existing = try await store.mailbox(account: accountID, name: name), !existing.isNoSelect {
                tagged(tag, .no, code: .alreadyExists, text: "Mailbox already exists")
                return .next
            }
            let created = try await store.createMailbox(account: accountID, name: name, specialUse: specialUse)
            await reportUpdates(allowExpunge: true)
            tagged(
                tag, .ok, code: .other("MAILBOXID", "(\(Self.mailboxObjectID(created.id)))"), text: "CREATE completed")
        } catch {
            fail(tag, error, command: "CREATE")
        }
        return .next
    }

    /// RFC 9051 §6.3.5 (with RFC 3501 §6.3.4's \Noselect rule for mailboxes that have children).
    func delete(_ tag: String, _ wireName: IMAPWire.MailboxName) async -> ResumeDirective {
        do {
            let name = try storeName(wireName)
            if MailboxPath.isInbox(name) {
                tagged(tag, .no, code: .cannot, text: "INBOX cannot be deleted")
                return .next
            }
            guard let info = try await store.mailbox(account: accountID, name: name) else {
                tagged(tag, .no, code: .nonExistent, text: "No such mailbox")
                return .next
            }
            try await store.deleteMailbox(account: accountID, name: name)
            if selected?.id == info.id {
                state.deselect()
                send(.condition(.ok, code: .closed, text: "The selected mailbox was deleted"))
            }
            await reportUpdates(allowExpunge: true)
            tagged(tag, .ok, text: "DELETE completed")
        } catch {
            fail(tag, error, command: "DELETE")
        }
        return .next
    }

    /// RFC 9051 §6.3.6: children move along; renaming INBOX moves its messages.
    func rename(_ tag: String, from: IMAPWire.MailboxName, to: IMAPWire.MailboxName) async -> ResumeDirective {
        do {
            let source = try storeName(from)
            let destination = try storeName(to)
            guard try await store.mailbox(account: accountID, name: source) != nil else {
                tagged(tag, .no, code: .nonExistent, text: "No such mailbox")
                return .next
            }
            let taken = try await store.mailbox(account: accountID, name: destination) != nil
            if MailboxPath.isInbox(destination) || taken {
                tagged(tag, .no, code: .alreadyExists, text: "The new name is taken")
                return .next
            }
            if MailboxPath.isInside(destination, ancestor: source) {
                tagged(tag, .no, code: .cannot, text: "A mailbox cannot be moved inside itself")
                return .next
            }
            try await store.renameMailbox(account: accountID, from: source, to: destination)
            await reportUpdates(allowExpunge: true)
            tagged(tag, .ok, text: "RENAME completed")
        } catch {
            fail(tag, error, command: "RENAME")
        }
        return .next
    }

    /// RFC 9051 §6.3.7 and §6.3.8. Only existing mailboxes can be subscribed; unsubscribing always works.
    func subscribe(_ tag: String, _ wireName: IMAPWire.MailboxName, subscribed: Bool) async -> ResumeDirective {
        let command = subscribed ? "SUBSCRIBE" : "UNSUBSCRIBE"
        do {
            let name = try storeName(wireName)
            if subscribed, try await store.mailbox(account: accountID, name: name) == nil {
                tagged(tag, .no, code: .nonExistent, text: "No such mailbox")
                return .next
            }
            try await store.setSubscribed(account: accountID, name: name, subscribed: subscribed)
            await reportUpdates(allowExpunge: true)
            tagged(tag, .ok, text: "\(command) completed")
        } catch {
            fail(tag, error, command: command)
        }
        return .next
    }

    /// RFC 9051 §6.3.10: one personal namespace, no prefix, "/" as separator.
    func namespace(_ tag: String) async -> ResumeDirective {
        send(.namespace(NamespaceResponse(personal: [.init(prefix: "", delimiter: UInt8(ascii: "/"))])))
        await reportUpdates(allowExpunge: true)
        tagged(tag, .ok, text: "NAMESPACE completed")
        return .next
    }

    /// RFC 9051 §6.3.11 (with RFC 3501's RECENT, RFC 8438 SIZE, RFC 7889 APPENDLIMIT, RFC 9208 DELETED-STORAGE).
    func status(
        _ tag: String, _ wireName: IMAPWire.MailboxName, _ attributes: [StatusAttribute]
    ) async -> ResumeDirective {
        if extensions.rev2 && attributes.contains(.recent) {
            tagged(tag, .bad, text: Self.noRecentInRev2)
            return .next
        }
        do {
            let name = try storeName(wireName)
            guard let info = try await store.mailbox(account: accountID, name: name), !info.isNoSelect else {
                tagged(tag, .no, code: .nonExistent, text: "No such mailbox")
                return .next
            }
            let items = try await statusItems(info.id, attributes)
            send(.mailboxStatus(MailboxStatusResponse(name: responseName(info.name), items: items)))
            await reportUpdates(allowExpunge: true)
            tagged(tag, .ok, text: "STATUS completed")
        } catch {
            fail(tag, error, command: "STATUS")
        }
        return .next
    }
}
