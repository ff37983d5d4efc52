import Foundation
import IMAPWire
import MIME
import MailStore
import NIOCore

/// An APPEND in progress: the framer streams the message literal, which goes straight to a staging
/// file on disk (never whole into memory).
struct AppendState {
    var tag: String
    var mailbox: MailboxInfo?
    /// The NO/BAD that will answer the command, once decided.
    var failure: (status: ResponseStatus, code: ResponseCode?, text: String)?
    var writer: StagedMessageWriter?
    var current: (flags: MessageFlags, date: Date, zone: Int)?
    var staged: [StagedAppend] = []
    /// Set once the tagged response was sent early (a refused synchronizing literal).
    var answered = false

    func abort() {
        writer?.abort()
        for item in staged { item.message.discard() }
    }
}

/// APPEND (RFC 9051 §6.3.12) with APPENDUID (RFC 4315 §3) and TOOBIG (RFC 7889).
extension IMAPSession {
    func appendStart(tag: String, mailbox wireName: IMAPWire.MailboxName) async -> ResumeDirective {
        append?.abort()
        var state = AppendState(tag: tag)
        if account == nil {
            state.failure = (.bad, nil, "Log in first (LOGIN or AUTHENTICATE)")
            badCommandsBeforeLogin += 1
        } else {
            do {
                let name = try storeName(wireName)
                if let info = try await store.mailbox(account: accountID, name: name), !info.isNoSelect {
                    state.mailbox = info
                } else {
                    state.failure = (.no, .tryCreate, "No such mailbox")
                }
            } catch let error as MailStoreError {
                if case .invalidMailboxName(let why) = error {
                    state.failure = (.no, .cannot, "Invalid mailbox name: \(why)")
                } else {
                    state.failure = (.no, .serverBug, "Internal error, the message was not stored")
                    logger.error("APPEND failed: \(error)")
                }
            } catch {
                state.failure = (.no, .serverBug, "Internal error, the message was not stored")
                logger.error("APPEND failed: \(error)")
            }
        }
        append = state
        return .next
    }

    func appendMessageBegin(
        flags: [Flag], date: InternalDate?, size: Int, synchronizing: Bool, binary: Bool
    )
        -> ResumeDirective
    {
        guard var state = append else { return .rejectAppendMessage }
        if state.failure == nil && size == 0 {
            state.failure = (.no, .cannot, "An empty message cannot be stored")
        }
        if state.failure == nil && size > configuration.maxMessageSize {
            state.failure = (.no, .tooBig, "The message is larger than \(configuration.maxMessageSize) bytes")
        }
        if state.failure == nil {
            if let converted = Self.messageFlags(flags) {
                state.current = (converted, date?.date ?? Date(), date?.zoneMinutes ?? 0)
            } else {
                state.failure = (.bad, nil, "Unknown system flag")
            }
        }
        if state.failure == nil {
            do {
                state.writer = try MessageStaging(store: store, maxSize: configuration.maxMessageSize).begin()
            } catch {
                logger.error("cannot stage a message: \(error)")
                state.failure = (.no, .serverBug, "Internal error, the message was not stored")
            }
        }
        if let failure = state.failure {
            state.abort()
            // The client waits for our answer instead of `+`: the command ends here.
            tagged(state.tag, failure.status, code: failure.code, text: failure.text)
            state.answered = true
            state.writer = nil
            state.staged = []
            append = synchronizing ? nil : state
            return .rejectAppendMessage
        }
        append = state
        return .acceptAppendMessage
    }

    func appendMessageBytes(_ bytes: ByteBuffer) {
        guard let writer = append?.writer else { return }
        do {
            try bytes.withUnsafeReadableBytes { try writer.write($0) }
        } catch {
            logger.error("cannot write a staged message: \(error)")
            append?.writer?.abort()
            append?.writer = nil
            append?.failure = (.no, .serverBug, "Internal error, the message was not stored")
        }
    }

    /// The end of one message's literal: the staged file is fsynced, read back and parsed off the
    /// event loop (up to the APPEND limit of bytes: long enough to stall every connection on the loop).
    func appendMessageEnd() async {
        guard var state = append, let writer = state.writer, let current = state.current else { return }
        state.writer = nil
        append = state
        let handover = Handover(writer)
        do {
            let staged = try await offLoop { () throws -> StagedAppend in
                let message = try handover.value.finish()
                // Parse once, now (the file is in the page cache), so FETCH of ENVELOPE/BODYSTRUCTURE
                // never has to read the message again.
                let structure = (try? Data(contentsOf: message.url)).map { data in
                    Self.storedForm(of: MessageParser.parse([UInt8](data)))
                }
                return StagedAppend(
                    message: message, flags: current.flags, internalDate: current.date,
                    internalDateZone: current.zone, structure: structure)
            }
            state.staged.append(staged)
        } catch {
            logger.error("cannot finish a staged message: \(error)")
            state.failure = (.no, .serverBug, "Internal error, the message was not stored")
        }
        append = state
    }

    func appendEnd() async {
        guard let state = append else { return }
        append = nil
        if state.answered { return }
        if let failure = state.failure {
            state.abort()
            tagged(state.tag, failure.status, code: failure.code, text: failure.text)
            return
        }
        guard let mailbox = state.mailbox else { return }
        // MULTIAPPEND (RFC 3502 §6.3.11): all the messages or none, in one transaction.
        let results: [AppendResult]
        do {
            results = try await store.append(account: accountID, mailbox: mailbox.id, messages: state.staged)
        } catch {
            fail(state.tag, error, command: "APPEND")
            return
        }
        await reportUpdates(allowExpunge: true)
        if let first = results.first {
            tagged(
                state.tag, .ok,
                code: .appendUID(uidValidity: first.uidValidity, uids: Self.sequenceSet(ordered: results.map(\.uid))),
                text: "APPEND completed")
        } else {
            tagged(state.tag, .ok, text: "APPEND completed")
        }
    }
}
