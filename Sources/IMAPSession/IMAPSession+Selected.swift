import IMAPWire
import MailStore
import NIOCore

/// Commands of the selected state other than FETCH and SEARCH (RFC 9051 §6.4).
extension IMAPSession {
    /// RFC 3501 §6.4.1 (CHECK): our writes are durable when they return, so this only polls.
    func check(_ tag: String) async -> ResumeDirective {
        await reportUpdates(allowExpunge: true)
        tagged(tag, .ok, text: "CHECK completed")
        return .next
    }

    /// RFC 9051 §6.4.1: expunges silently (no untagged EXPUNGE) unless read-only, then deselects.
    func close(_ tag: String) async -> ResumeDirective {
        guard let view = selected else { return .next }
        if !view.readOnly {
            do {
                _ = try await store.expunge(account: accountID, mailbox: view.id, uids: nil)
            } catch {
                // Still selected: the client may retry or UNSELECT.
                fail(tag, error, command: "CLOSE")
                return .next
            }
        }
        state.deselect()
        tagged(tag, .ok, text: "CLOSE completed")
        return .next
    }

    /// RFC 9051 §6.4.2 (UNSELECT, RFC 3691): deselects without expunging.
    func unselect(_ tag: String) -> ResumeDirective {
        state.deselect()
        tagged(tag, .ok, text: "UNSELECT completed")
        return .next
    }

    /// RFC 9051 §6.4.3 (EXPUNGE) and §6.4.9 / RFC 4315 §2.1 (UID EXPUNGE).
    func expunge(_ tag: String, uids set: SequenceSet?) async -> ResumeDirective {
        guard let view = selected else { return .next }
        if view.readOnly {
            tagged(tag, .no, code: .readOnly, text: "The mailbox is read-only")
            return .next
        }
        do {
            var limit: UIDSet?
            if let set {
                guard let pairs = resolveOrReject(tag, set, uid: true) else { return .next }
                limit = UIDSet(pairs.map(\.uid))
                if limit!.isEmpty {
                    await reportUpdates(allowExpunge: true)
                    tagged(tag, .ok, text: "UID EXPUNGE completed")
                    return .next
                }
            }
            let expunged = try await store.expunge(account: accountID, mailbox: view.id, uids: limit)
            reportExpunged(expunged)
            await reportUpdates(allowExpunge: true)
            // RFC 7162 §3.2.10: with QRESYNC, an EXPUNGE that removed something gives the new HIGHESTMODSEQ.
            var code: ResponseCode?
            if extensions.qresync && !expunged.isEmpty,
                let sync = try await store.syncState(account: accountID, mailbox: view.id)
            {
                code = .highestModSeq(sync.highestModSeq)
            }
            tagged(tag, .ok, code: code, text: set == nil ? "EXPUNGE completed" : "UID EXPUNGE completed")
        } catch {
            fail(tag, error, command: "EXPUNGE")
        }
        return .next
    }

    /// RFC 9051 §6.4.7 (COPY) with COPYUID (RFC 4315 §3). A missing destination is NO [TRYCREATE].
    func copy(_ tag: String, _ set: SequenceSet, to wireName: IMAPWire.MailboxName, uid: Bool) async -> ResumeDirective
    {
        guard let view = selected else { return .next }
        guard let pairs = resolveOrReject(tag, set, uid: uid) else { return .next }
        do {
            let name = try storeName(wireName)
            guard let destination = try await destinationMailbox(tag, name) else { return .next }
            var code: ResponseCode?
            if !pairs.isEmpty {
                let result = try await store.copy(
                    account: accountID, from: view.id, uids: UIDSet(pairs.map(\.uid)), to: destination.id)
                if !result.pairs.isEmpty {
                    let source = UIDSet(result.pairs.map(\.source))
                    let target = result.pairs.map(\.destination)
                    code = .copyUID(
                        uidValidity: result.uidValidity, source: Self.sequenceSet(source.ranges),
                        destination: Self.sequenceSet(ordered: target))
                }
            }
            await reportUpdates(allowExpunge: uid)
            tagged(tag, .ok, code: code, text: uid ? "UID COPY completed" : "COPY completed")
        } catch {
            fail(tag, error, command: "COPY")
        }
        return .next
    }

    /// RFC 9051 §6.4.6 (STORE), with UNCHANGEDSINCE (RFC 7162 §3.1.3).
    func storeFlags(
        _ tag: String, _ set: SequenceSet, _ action: StoreAction, unchangedSince: UInt64?, uid: Bool
    )
        async -> ResumeDirective
    {
        guard let view = selected else { return .next }
        if view.readOnly {
            tagged(tag, .no, code: .readOnly, text: "The mailbox is read-only")
            return .next
        }
        guard let flags = Self.messageFlags(action.flags) else {
            tagged(tag, .bad, text: "Unknown system flag")
            return .next
        }
        guard let pairs = resolveOrReject(tag, set, uid: uid) else { return .next }
        do {
            var modified: [UID] = []
            if !pairs.isEmpty {
                let operation: FlagOperation
                switch action.mode {
                case .replace: operation = .replace
                case .add: operation = .add
                case .remove: operation = .remove
                }
                let result = try await store.store(
                    account: accountID, mailbox: view.id, uids: UIDSet(pairs.map(\.uid)), operation: operation,
                    flags: flags,
                    unchangedSince: unchangedSince)
                modified = result.modified
                announceKeywords(result.updated.map(\.flags))
                let current = selected ?? view
                for update in result.updated {
                    guard let seq = current.sequenceNumber(of: update.uid) else { continue }
                    if action.silent {
                        // RFC 7162 §3.1.3: a conditional STORE reports the new MODSEQ even when .SILENT.
                        if unchangedSince != nil {
                            send(
                                .fetch(
                                    FetchResponse(
                                        sequenceNumber: UInt32(seq),
                                        attributes: [.uid(update.uid), .modSeq(update.modSeq)])))
                        }
                        // The client knows the result when it knew the state the store started from;
                        // otherwise another session's change is in it and the next poll reports it.
                        if update.previousModSeq <= current.knownModSeq
                            || current.reported[update.uid] == update.previousModSeq
                        {
                            state.updateSelected { $0.reported[update.uid] = update.modSeq }
                        }
                        continue
                    }
                    // RFC 7162 §3.1: with CONDSTORE on, STORE's FETCH responses carry UID and MODSEQ.
                    var attributes: [MessageAttribute] = uid || extensions.condstore ? [.uid(update.uid)] : []
                    attributes.append(.flags(wireFlags(update.flags, uid: update.uid)))
                    if extensions.condstore { attributes.append(.modSeq(update.modSeq)) }
                    send(.fetch(FetchResponse(sequenceNumber: UInt32(seq), attributes: attributes)))
                    // The client now has these flags; a .SILENT store is reported by the next poll instead,
                    // which also carries any other session's change merged into them.
                    state.updateSelected { $0.reported[update.uid] = update.modSeq }
                }
            }
            await reportUpdates(allowExpunge: uid)
            if modified.isEmpty {
                tagged(tag, .ok, text: uid ? "UID STORE completed" : "STORE completed")
            } else {
                let current = selected ?? view
                let numbers = uid ? modified : modified.compactMap { current.sequenceNumber(of: $0).map(UInt32.init) }
                let set = Self.sequenceSet(UIDSet(numbers).ranges)
                tagged(tag, .ok, code: .modified(set), text: "Some messages were changed meanwhile")
            }
        } catch {
            fail(tag, error, command: "STORE")
        }
        return .next
    }

    /// A sequence set of sorted ranges.
    static func sequenceSet(_ ranges: [ClosedRange<UInt32>]) -> SequenceSet {
        .ranges(ranges.map { SequenceRange($0) })
    }

    /// A set that keeps the given order, with ascending runs shortened (COPYUID's destination list
    /// follows the source order, RFC 4315 §3).
    static func sequenceSet(ordered numbers: [UInt32]) -> SequenceSet {
        var ranges: [SequenceRange] = []
        var index = 0
        while index < numbers.count {
            var end = index
            while end + 1 < numbers.count, numbers[end] < UInt32.max, numbers[end + 1] == numbers[end] + 1 { end += 1 }
            ranges.append(SequenceRange(numbers[index]...numbers[end]))
            index = end + 1
        }
        return .ranges(ranges)
    }
}

/// MOVE and UID MOVE (RFC 6851 §3): atomic in the store; COPYUID goes in an untagged OK before the
/// EXPUNGE (or VANISHED) responses, which MOVE may send even in its sequence-number form. RFC 6851
/// does not forbid the selected mailbox as the destination: the messages get new UIDs (reported by
/// EXISTS after the EXPUNGEs) and the old ones are expunged.
extension IMAPSession {
    func move(_ tag: String, _ set: SequenceSet, to wireName: IMAPWire.MailboxName, uid: Bool) async -> ResumeDirective
    {
        guard let view = selected else { return .next }
        if view.readOnly {
            tagged(tag, .no, code: .readOnly, text: "The mailbox is read-only")
            return .next
        }
        guard let pairs = resolveOrReject(tag, set, uid: uid) else { return .next }
        do {
            let name = try storeName(wireName)
            guard let destination = try await destinationMailbox(tag, name) else { return .next }
            if !pairs.isEmpty {
                let result = try await store.move(
                    account: accountID, from: view.id, uids: UIDSet(pairs.map(\.uid)), to: destination.id)
                if !result.copied.pairs.isEmpty {
                    send(
                        .condition(
                            .ok,
                            code: .copyUID(
                                uidValidity: result.copied.uidValidity,
                                source: Self.sequenceSet(UIDSet(result.copied.pairs.map(\.source)).ranges),
                                destination: Self.sequenceSet(ordered: result.copied.pairs.map(\.destination))),
                            text: "Moved"))
                }
                reportExpunged(result.expunged)
            }
            await reportUpdates(allowExpunge: true)
            tagged(tag, .ok, text: uid ? "UID MOVE completed" : "MOVE completed")
        } catch {
            fail(tag, error, command: "MOVE")
        }
        return .next
    }

    /// Removes this session's own expunges from the view and reports them: EXPUNGE per message, or
    /// one VANISHED once QRESYNC (RFC 7162 §3.2.10) or UIDONLY (RFC 9586 §3.4) is enabled.
    func reportExpunged(_ uids: [UID]) {
        guard var view = selected else { return }
        let present = uids.filter { view.sequenceNumber(of: $0) != nil }
        guard !present.isEmpty else { return }
        let numbers = view.remove(present)
        state.select(view)
        if extensions.reportsVanished {
            send(.vanished(earlier: false, uids: Self.sequenceSet(UIDSet(present).ranges)))
        } else {
            for number in numbers { send(.expunge(UInt32(number))) }
        }
    }
}
