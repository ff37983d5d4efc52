import IMAPWire
import MailStore

/// METADATA and METADATA-SERVER (RFC 5464): entries on the server (mailbox "") and on each mailbox,
/// under /private and /shared. Every account is alone with its mailboxes, so both roots are the
/// user's own and both can be written; limits are `MetadataLimits`.
extension IMAPSession {
    /// RFC 5464 §4.2: one METADATA response with the entries asked for that the target holds (and,
    /// without DEPTH, NIL for an entry asked for by name that it does not hold); entries whose value is
    /// longer than MAXSIZE are left out and the largest of them is named in OK [METADATA LONGENTRIES].
    func getMetadata(
        _ tag: String, _ wireName: IMAPWire.MailboxName, options: MetadataOptions, entries: [String]
    ) async -> ResumeDirective {
        let names: [String]
        do {
            names = try entries.map(MetadataEntryName.normalized)
        } catch {
            tagged(tag, .bad, text: Self.metadataRefusal(error))
            return .next
        }
        do {
            guard let (target, responseMailbox) = try await metadataTarget(wireName) else {
                tagged(tag, .no, code: .nonExistent, text: "No such mailbox")
                return .next
            }
            let stored = try await store.metadata(account: accountID, target: target)
            let depth: Int? =
                switch options.depth {
                case .zero: 0
                case .one: 1
                case .infinity: nil
                }
            var found: [MetadataEntryValue] = []
            var listed: Set<String> = []
            var longest = 0
            for name in names {
                let matches = stored.filter { MetadataEntryName.matches($0.name, entry: name, depth: depth) }
                if matches.isEmpty, depth == 0, listed.insert(name).inserted {
                    found.append(MetadataEntryValue(entry: name, value: nil))
                }
                for entry in matches where listed.insert(entry.name).inserted {
                    if let maxSize = options.maxSize, entry.value.count > Int(maxSize) {
                        longest = max(longest, entry.value.count)
                    } else {
                        found.append(MetadataEntryValue(entry: entry.name, value: entry.value))
                    }
                }
            }
            if !found.isEmpty { send(.metadata(MetadataResponse(mailbox: responseMailbox, entries: found))) }
            await reportUpdates(allowExpunge: true)
            let code: ResponseCode? = longest > 0 ? .metadata(.longEntries(UInt32(clamping: longest))) : nil
            tagged(tag, .ok, code: code, text: "GETMETADATA completed")
        } catch {
            fail(tag, error, command: "GETMETADATA")
        }
        return .next
    }

    /// RFC 5464 §4.3: sets the entries with a value and removes those given NIL, all or none. A value
    /// over `MetadataLimits.maxValueSize` is NO [METADATA MAXSIZE n]; too many entries NO [METADATA TOOMANY].
    func setMetadata(
        _ tag: String, _ wireName: IMAPWire.MailboxName, _ values: [MetadataEntryValue]
    ) async -> ResumeDirective {
        var changes: [MetadataChange] = []
        do {
            for value in values {
                let name = try MetadataEntryName.normalized(value.entry)
                guard MetadataEntryName.isSettable(name) else {
                    throw MetadataError.invalidName("\(name) itself holds no value: name an entry below it")
                }
                changes.append(MetadataChange(name: name, value: value.value))
            }
        } catch {
            tagged(tag, .bad, text: Self.metadataRefusal(error))
            return .next
        }
        do {
            guard let (target, _) = try await metadataTarget(wireName) else {
                tagged(tag, .no, code: .nonExistent, text: "No such mailbox")
                return .next
            }
            try await store.setMetadata(account: accountID, target: target, changes: changes)
            await reportUpdates(allowExpunge: true)
            tagged(tag, .ok, text: "SETMETADATA completed")
        } catch MetadataError.valueTooLarge(let max) {
            tagged(tag, .no, code: .metadata(.maxSize(UInt32(clamping: max))), text: "Value too large")
        } catch MetadataError.tooMany {
            tagged(tag, .no, code: .metadata(.tooMany), text: "Too many metadata entries")
        } catch let error as MetadataError {
            tagged(tag, .bad, text: Self.metadataRefusal(error))
        } catch {
            fail(tag, error, command: "SETMETADATA")
        }
        return .next
    }

    /// The target "" (the server) or the mailbox names, with the name a METADATA response gives it;
    /// nil when there is no such mailbox.
    private func metadataTarget(
        _ wireName: IMAPWire.MailboxName
    ) async throws -> (MetadataTarget, IMAPWire.MailboxName)? {
        if wireName.bytes.isEmpty { return (.server, wireName) }
        guard let info = try await store.mailbox(account: accountID, name: try storeName(wireName)) else {
            return nil
        }
        return (.mailbox(info.id), responseName(info.name))
    }

    /// The text of a BAD for an invalid entry name.
    private static func metadataRefusal(_ error: any Error) -> String {
        if case MetadataError.invalidName(let why) = error { return "Invalid entry name: \(why)" }
        return "Invalid entry name"
    }
}
