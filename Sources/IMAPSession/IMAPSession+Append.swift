import Foundation
import IMAPWire
import MIME
import MailStore
import NIOCore
import Telemetry

/// An APPEND in progress: the framer streams the message literal, which goes straight to a staging
/// file on disk (never whole into memory).
struct AppendState {
    var tag: String
    var mailbox: MailboxInfo?
    /// The NO/BAD that will answer the command, once decided.
    var failure: (status: ResponseStatus, code: ResponseCode?, text: String)?
    var writer: StagedMessageWriter?
    /// Literal bytes received but not yet written to `writer` (see `IMAPSession.stagingBatch`).
    var unwritten: [UInt8] = []
    var current: (flags: MessageFlags, date: Date, zone: Int)?
    var staged: [StagedAppend] = []
    /// Set once the tagged response was sent early (a refused synchronizing literal).
    var answered = false
    /// REPLACE (RFC 8508): the UID, in the selected mailbox, of the message the one message replaces.
    var replacing: UID?

    func abort() {
        writer?.abort()
        for item in staged { item.message.discard() }
    }
}

/// APPEND (RFC 9051 §6.3.12) with APPENDUID (RFC 4315 §3) and TOOBIG (RFC 7889).
extension IMAPSession {
    func appendStart(
        tag: String, mailbox wireName: IMAPWire.MailboxName, command: IMAPCommandName = .append
    ) async -> ResumeDirective {
        append?.abort()
        beginCommand(command)
        var progress = AppendState(tag: tag)
        if account == nil {
            progress.failure = (.bad, nil, "Log in first (LOGIN or AUTHENTICATE)")
            badCommandsBeforeLogin += 1
        } else {
            do {
                let name = try storeName(wireName)
                if let info = try await store.mailbox(account: accountID, name: name), !info.isNoSelect {
                    progress.mailbox = info
                } else {
                    progress.failure = (.no, .tryCreate, "No such mailbox")
                }
            } catch let error as MailStoreError {
                if case .invalidMailboxName(let why) = error {
                    progress.failure = (.no, .cannot, "Invalid mailbox name: \(why)")
                } else if error == .unavailable {
                    progress.failure = (.no, .unavailable, "The mail store is unavailable, try again later")
                } else {
                    progress.failure = (.no, .serverBug, "Internal error, the message was not stored")
                    logger.error("APPEND failed: \(error)")
                }
            } catch {
                progress.failure = (.no, .serverBug, "Internal error, the message was not stored")
                logger.error("APPEND failed: \(error)")
            }
        }
        append = progress
        return .next
    }

    func appendMessageBegin(
        flags: [Flag], date: InternalDate?, size: Int, synchronizing: Bool, binary: Bool
    )
        -> ResumeDirective
    {
        guard var progress = append else { return .rejectAppendMessage }
        if progress.failure == nil && size == 0 {
            progress.failure = (.no, .cannot, "An empty message cannot be stored")
        }
        if progress.failure == nil && size > configuration.maxMessageSize {
            progress.failure = (.no, .tooBig, "The message is larger than \(configuration.maxMessageSize) bytes")
        }
        if progress.failure == nil {
            if let converted = Self.messageFlags(flags) {
                progress.current = (converted, date?.date ?? Date(), date?.zoneMinutes ?? 0)
            } else {
                progress.failure = (.bad, nil, "Unknown system flag")
            }
        }
        if progress.failure == nil {
            do {
                progress.writer = try store.stageMessage(maxSize: configuration.maxMessageSize)
            } catch {
                logger.error("cannot stage a message: \(error)")
                progress.failure = (.no, .serverBug, "Internal error, the message was not stored")
            }
        }
        if let failure = progress.failure {
            progress.abort()
            // The client waits for our answer instead of `+`: the command ends here.
            tagged(progress.tag, failure.status, code: failure.code, text: failure.text)
            progress.answered = true
            progress.writer = nil
            progress.staged = []
            append = synchronizing ? nil : progress
            return .rejectAppendMessage
        }
        append = progress
        return .acceptAppendMessage
    }

    /// Bytes of the literal are gathered and written to the staging file in batches, off the event
    /// loop: a write can block for a long time when the disk falls behind (the kernel throttles
    /// writers of dirty pages), and the loop serves other connections meanwhile.
    static let stagingBatch = 1 << 20

    func appendMessageBytes(_ bytes: ByteBuffer) async {
        guard append?.writer != nil else { return }
        append?.unwritten += bytes.readableBytesView
        if let count = append?.unwritten.count, count >= Self.stagingBatch { await writeUnwritten() }
    }

    /// Writes the gathered literal bytes to the staging file, off the event loop.
    private func writeUnwritten() async {
        guard var progress = append, let writer = progress.writer, !progress.unwritten.isEmpty else { return }
        let bytes = progress.unwritten
        progress.unwritten = []
        append = progress
        let handover = Handover(writer)
        do {
            try await offLoop { try handover.value.write(bytes) }
        } catch {
            logger.error("cannot write a staged message: \(error)")
            append?.writer?.abort()
            append?.writer = nil
            append?.unwritten = []
            append?.failure = (.no, .serverBug, "Internal error, the message was not stored")
        }
    }

    /// The end of one message's literal: the staged file is fsynced, read back and parsed off the
    /// event loop (up to the APPEND limit of bytes: long enough to stall every connection on the loop).
    func appendMessageEnd() async {
        guard var progress = append, let writer = progress.writer, let current = progress.current else { return }
        // The last batch is written in the same trip off the loop as the fsync and the parse.
        let last = progress.unwritten
        progress.unwritten = []
        progress.writer = nil
        append = progress
        let handover = Handover(writer)
        do {
            let staged = try await offLoop { () throws -> StagedAppend in
                if !last.isEmpty { try handover.value.write(last) }
                let message = try handover.value.finish()
                // Parse once, now (the file is in the page cache), so FETCH of ENVELOPE/BODYSTRUCTURE
                // never has to read the message again. Mapped, not read: the parse needs no copy of the
                // message in the process's own memory (several large APPENDs may end at once).
                let structure = Self.storedStructure(ofFileAt: message.url)
                return StagedAppend(
                    message: message, flags: current.flags, internalDate: current.date,
                    internalDateZone: current.zone, structure: structure)
            }
            progress.staged.append(staged)
        } catch {
            logger.error("cannot finish a staged message: \(error)")
            progress.failure = (.no, .serverBug, "Internal error, the message was not stored")
        }
        append = progress
    }

    func appendEnd() async {
        guard let progress = append else { return }
        append = nil
        if progress.answered { return }
        if let failure = progress.failure {
            progress.abort()
            tagged(progress.tag, failure.status, code: failure.code, text: failure.text)
            return
        }
        guard let mailbox = progress.mailbox else { return }
        if let replaced = progress.replacing {
            await completeReplace(progress, into: mailbox, replacing: replaced)
            return
        }
        // MULTIAPPEND (RFC 3502 §6.3.11): all the messages or none, in one transaction.
        let results: [AppendResult]
        do {
            results = try await store.append(account: accountID, mailbox: mailbox.id, messages: progress.staged)
        } catch {
            fail(progress.tag, error, command: "APPEND")
            return
        }
        await reportUpdates(allowExpunge: true)
        if let first = results.first {
            tagged(
                progress.tag, .ok,
                code: .appendUID(uidValidity: first.uidValidity, uids: Self.sequenceSet(ordered: results.map(\.uid))),
                text: "APPEND completed")
        } else {
            tagged(progress.tag, .ok, text: "APPEND completed")
        }
    }
}
