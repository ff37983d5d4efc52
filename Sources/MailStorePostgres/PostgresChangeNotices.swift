import Foundation
import Logging
import MailStore
import PostgresNIO
import ServiceLifecycle

/// Push across nodes through PostgreSQL itself: every transaction that changes mailboxes (or deletes an
/// account) sends a small hint with `pg_notify` before it commits, which PostgreSQL delivers to every
/// listener once (and only if) the transaction commits. Each node keeps one connection listening and
/// publishes what it hears on its `ChangeHub`, waking its sessions on those mailboxes, which then ask
/// the store what changed since the MODSEQ they know. A hint carries ids only, never message data.
///
/// One hint per transaction (all its mailboxes together): NOTIFY takes a lock that serialises the
/// commits that notify, so fewer, larger hints cost less. When the listening connection drops, the
/// node connects again and wakes every mailbox it watches, so that nothing committed meanwhile is
/// missed. (LISTEN needs a session of its own on the server: a pooler in transaction mode, such as
/// PgBouncer's, hands each transaction to any server connection and cannot deliver notifications.)
enum ChangeNotice {
    /// Longest payload sent in one notification (PostgreSQL refuses 8000 bytes and more).
    static let maxPayload = 7000

    /// The payloads announcing `mailboxes` and removed `accounts` from `node`: `NODE;m:1,2;a:3`, split
    /// when long.
    static func payloads(node: String, mailboxes: Set<MailboxID>, accounts: [AccountID]) -> [String] {
        let items = mailboxes.sorted().map { "m:\($0)" } + accounts.map { "a:\($0)" }
        var payloads: [String] = []
        var current = node
        for item in items {
            if current.utf8.count + item.utf8.count + 1 > maxPayload {
                payloads.append(current)
                current = node
            }
            current += ";" + item
        }
        if current != node { payloads.append(current) }
        return payloads
    }

    /// The node, mailboxes and accounts of a payload; nil when it is not one of ours.
    static func parse(_ payload: String) -> (node: String, mailboxes: [MailboxID], accounts: [AccountID])? {
        let parts = payload.split(separator: ";", omittingEmptySubsequences: false)
        guard let node = parts.first, !node.isEmpty else { return nil }
        var mailboxes: [MailboxID] = []
        var accounts: [AccountID] = []
        for part in parts.dropFirst() {
            if part.hasPrefix("m:"), let id = MailboxID(part.dropFirst(2)) {
                mailboxes.append(id)
            } else if part.hasPrefix("a:"), let id = AccountID(part.dropFirst(2)) {
                accounts.append(id)
            } else {
                return nil
            }
        }
        return (String(node), mailboxes, accounts)
    }
}

extension PostgresMailStore {
    /// The notification channel: one per schema, so stores sharing a database hear only their own.
    var noticeChannel: String { "postern_changes" + (schema.map { "_" + $0 } ?? "") }

    /// Sends the hints of `tx`'s changes (inside it: they go out only if it commits).
    func sendNotices(_ tx: Transaction) async throws {
        guard !tx.changed.isEmpty || !tx.removedAccounts.isEmpty else { return }
        for payload in ChangeNotice.payloads(node: nodeID, mailboxes: tx.changed, accounts: tx.removedAccounts) {
            try await tx.rows("SELECT pg_notify(\(noticeChannel), \(payload))")
        }
    }

    /// Listens for other nodes' hints until cancelled (or the service group shuts down), connecting
    /// again after `Limits.listenRetryDelay` whenever the connection is lost.
    func listenForNotices() async {
        var connectedBefore = false
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: noticeChannel) { notices in
                        if connectedBefore {
                            // Whatever committed while nobody listened: every watched mailbox looks again.
                            for mailbox in changeHub.watchedMailboxes.sorted() { changeHub.publish(mailbox: mailbox) }
                            logger.notice("mail store: listening for other nodes' changes again")
                        }
                        connectedBefore = true
                        for try await notice in notices { receive(notice.payload) }
                    }
                }
            } catch {
                if Task.isCancelled || Task.isShuttingDownGracefully { return }
                logger.warning("mail store: change notifications interrupted", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: Limits.listenRetryDelay)
        }
    }

    private func receive(_ payload: String) {
        guard let notice = ChangeNotice.parse(payload) else {
            logger.warning("mail store: unreadable change notification")
            return
        }
        guard notice.node != nodeID else { return }
        for mailbox in notice.mailboxes { changeHub.publish(mailbox: mailbox) }
        for account in notice.accounts { changeHub.publish(accountRemoved: account) }
    }
}
