import Foundation
import Logging
import MIME
import MailRelay
import MailStore

extension Deliverer {
    /// How long a redirect is remembered, so that a message delivered again (the client retried after
    /// a temporary failure) is not sent on twice.
    static let redirectMemorySeconds = 7 * 24 * 3600

    /// Applies a filter's decision to one account's copy (RFC 5228 §2.10): redirects go out first (one
    /// that fails keeps the message in INBOX instead, so nothing is lost), then every filing is one
    /// commit, then the vacation reply is sent and the `duplicate` keys recorded.
    func apply(
        _ decision: FilterDecision, to input: FilterInput, structure: MessageStructure?, date: Date
    ) async -> DeliveryOutcome {
        let account = input.accountName
        if let failure = decision.failure {
            logger.warning(
                "sieve: the script failed, the message is kept",
                metadata: ["account": "\(account)", "error": "\(failure)"])
        }
        if let reason = decision.reject {
            input.message.discard()
            logger.info("sieve: rejected", metadata: ["account": "\(account)"])
            return .rejected(Self.oneLine(reason))
        }
        var filings = decision.filings
        if !decision.redirects.isEmpty {
            let sent = await redirect(input, to: decision.redirects)
            if !sent && !filings.contains(where: { $0.mailbox.uppercased() == "INBOX" }) {
                filings.append(FilterDecision.Filing(mailbox: "INBOX"))
            }
        }
        let outcome = await file(input, filings: filings, structure: structure, date: date)
        guard outcome == .delivered else { return outcome }
        if let vacation = decision.vacation { await sendVacation(vacation, for: input) }
        for (key, seconds) in decision.duplicateKeys {
            await remember(input.account, kind: .duplicate, key: key, seconds: seconds)
        }
        return .delivered
    }

    /// Every filing in one commit; none at all (discard, or only redirects) stores nothing.
    private func file(
        _ input: FilterInput, filings: [FilterDecision.Filing], structure: MessageStructure?, date: Date
    ) async -> DeliveryOutcome {
        guard !filings.isEmpty else {
            input.message.discard()
            logger.info("sieve: nothing kept", metadata: ["account": "\(input.accountName)"])
            return .delivered
        }
        do {
            var placements: [MailboxPlacement] = []
            var names: [String] = []
            for filing in filings {
                let mailbox = try await resolve(filing, account: input.account, accountName: input.accountName)
                if let index = placements.firstIndex(where: { $0.mailbox == mailbox.id }) {
                    placements[index].flags = filing.flags
                } else {
                    placements.append(MailboxPlacement(mailbox: mailbox.id, flags: filing.flags))
                    names.append(mailbox.name)
                }
            }
            let zone = TimeZone.current.secondsFromGMT(for: date) / 60
            let message = StagedAppend(
                message: input.message, flags: MessageFlags(), internalDate: date, internalDateZone: zone,
                structure: structure)
            let results = try await store.append(account: input.account, message: message, placements: placements)
            logger.info(
                "delivered",
                metadata: [
                    "account": "\(input.accountName)", "folders": "\(names.joined(separator: ","))",
                    "uids": "\(results.map { String($0.uid) }.joined(separator: ","))",
                ])
            return .delivered
        } catch {
            input.message.discard()
            return outcome(after: error, accountName: input.accountName)
        }
    }

    /// The mailbox of a filing: an existing one, a new one when the filing may create it, else INBOX
    /// (RFC 5228 §4.1: a failed fileinto keeps the message).
    private func resolve(
        _ filing: FilterDecision.Filing, account: AccountID, accountName: String
    ) async throws -> MailboxInfo {
        if let found = try await existingMailbox(account: account, name: filing.mailbox) { return found }
        if filing.create {
            do {
                return try await store.createMailbox(account: account, name: filing.mailbox, specialUse: nil)
            } catch MailStoreError.mailboxExists {
                if let found = try await existingMailbox(account: account, name: filing.mailbox) { return found }
            } catch let error as MailStoreError {
                logger.warning(
                    "sieve: cannot create a folder, the message goes to INBOX",
                    metadata: ["account": "\(accountName)", "error": "\(error)"])
            }
        } else if filing.mailbox.uppercased() != "INBOX" {
            logger.warning("sieve: no such folder, the message goes to INBOX", metadata: ["account": "\(accountName)"])
        }
        guard let inbox = try await store.mailbox(account: account, name: "INBOX") else {
            throw MailStoreError.mailboxNotFound
        }
        return inbox
    }

    /// Sends the message on to each address once. False when one could not be sent.
    private func redirect(_ input: FilterInput, to addresses: [String]) async -> Bool {
        guard let relay else {
            logger.warning(
                "sieve: redirect needs [sieve] relay; the message is kept",
                metadata: ["account": "\(input.accountName)"])
            return false
        }
        let data: [UInt8]
        do {
            data = try await offLoop { try Self.withoutReturnPath(Self.read(input.message.path)) }
        } catch {
            logger.error("sieve: cannot read the message to redirect", metadata: ["error": "\(error)"])
            return false
        }
        let identity = Self.identity(of: data)
        var allSent = true
        for address in addresses {
            let key = "\(identity) \(address.lowercased())"
            if await isRemembered(input.account, kind: .redirect, key: key) { continue }
            do {
                try await relay.send(OutgoingMail(envelopeFrom: input.sender, recipients: [address], data: data))
                logger.info("sieve: redirected", metadata: ["account": "\(input.accountName)"])
                await remember(input.account, kind: .redirect, key: key, seconds: Self.redirectMemorySeconds)
            } catch {
                logger.warning(
                    "sieve: redirect failed, the message is kept",
                    metadata: ["account": "\(input.accountName)", "error": "\(error)"])
                allSent = false
            }
        }
        return allSent
    }

    /// Sends the auto-reply unless this sender was answered within the reply's period.
    private func sendVacation(_ vacation: FilterDecision.Vacation, for input: FilterInput) async {
        guard let relay else {
            logger.warning(
                "sieve: vacation needs [sieve] relay; no reply sent", metadata: ["account": "\(input.accountName)"])
            return
        }
        // Deliveries to one account run at once: the first to claim the key answers, the others see it
        // claimed (or, once it is done, recorded) and stay silent.
        let claim = "\(input.account) \(vacation.trackingKey)"
        guard repliesInFlight.withLock({ $0.insert(claim).inserted }) else { return }
        defer { _ = repliesInFlight.withLock { $0.remove(claim) } }
        if await isRemembered(input.account, kind: .vacation, key: vacation.trackingKey) { return }
        do {
            let mail = OutgoingMail(
                envelopeFrom: "", recipients: [vacation.reply.to], data: vacation.reply.message(hostName: hostName))
            try await relay.send(mail)
            logger.info("sieve: vacation reply sent", metadata: ["account": "\(input.accountName)"])
            await remember(input.account, kind: .vacation, key: vacation.trackingKey, seconds: vacation.seconds)
        } catch {
            logger.warning(
                "sieve: vacation reply failed", metadata: ["account": "\(input.accountName)", "error": "\(error)"])
        }
    }

    private func isRemembered(_ account: AccountID, kind: SieveTrackingKind, key: String) async -> Bool {
        do {
            return try await store.sieveTrackingContains(
                account: account, kind: kind, key: Array(key.utf8), now: Date())
        } catch {
            logger.error("sieve: cannot read the tracking records", metadata: ["error": "\(error)"])
            // Not knowing, an auto-reply is not sent (no reply storm); a redirect is (nothing lost).
            return kind == .vacation
        }
    }

    private func remember(_ account: AccountID, kind: SieveTrackingKind, key: String, seconds: Int) async {
        do {
            let now = Date()
            try await store.sieveTrackingRecord(
                account: account, kind: kind, key: Array(key.utf8), expiresAt: now.addingTimeInterval(Double(seconds)),
                now: now)
        } catch {
            logger.error("sieve: cannot record a tracking key", metadata: ["error": "\(error)"])
        }
    }

    /// The message's `Message-ID`, or a stand-in (its size) when it has none.
    static func identity(of message: [UInt8]) -> String {
        guard let id = MIMEMessage(message).rawHeaderValues("message-id").first else { return "size:\(message.count)" }
        return String(decoding: id, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The staged copy starts with our `Return-Path`, which only the final delivery may add (RFC 5321
    /// §4.4): the redirected message goes without it.
    static func withoutReturnPath(_ message: [UInt8]) -> [UInt8] {
        guard message.starts(with: Array("Return-Path:".utf8)), let end = message.firstIndex(of: UInt8(ascii: "\n"))
        else { return message }
        return Array(message[(end + 1)...])
    }

    /// A script's reject reason as reply text (RFC 5429 §2.1.1): one line of printable characters, at
    /// most `maxReasonLength` of them.
    static func oneLine(_ reason: String) -> String {
        let printable = reason.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) }
        let text = String(printable).split(separator: " ").joined(separator: " ")
        let shown = text.isEmpty ? "Rejected" : text
        return shown.count > maxReasonLength ? String(shown.prefix(maxReasonLength)) + "..." : shown
    }

    static let maxReasonLength = 400

    static func read(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MailStoreError.internal("delivery: cannot read a staged message")
        }
        return [UInt8](data)
    }
}
