import Foundation
import GRDB
import MailStore

/// What a check reads from the database, in one read transaction (one committed state).
struct CheckSnapshot {
    struct Mailbox {
        var id: MailboxID
        var label: String
        var uidValidity: Int64
        var uidNext: Int64
        var highestModSeq: Int64
        var usedBytes: Int64
        var usedMessages: Int64
        // Recomputed from the messages and tombstones:
        var messages: Int64 = 0
        var bytes: Int64 = 0
        var maxUID: Int64 = 0
        var maxModSeq: Int64 = 0
        var minUID: Int64 = 1
        var minModSeq: Int64 = 1
        var maxExpungedUID: Int64 = 0
        var maxExpungedModSeq: Int64 = 0
    }

    struct Message {
        var mailbox: MailboxID
        var uid: Int64
        var size: Int
    }

    var integrity: [String] = []
    var mailboxes: [Mailbox] = []
    /// Content file id → the messages that reference it.
    var content: [String: [Message]] = [:]
    /// (mailbox, uid) present both as a message and as an expunged tombstone.
    var bothLiveAndExpunged: [(MailboxID, Int64)] = []
    var lastUIDValidity: Int64 = 0
    var unreferencedParseResults = 0

    /// Opens the data folder's database (never creating one) for the duration of `body`.
    static func withDatabase<T>(_ folder: DataFolder, _ body: (DatabaseQueue) throws -> T) throws -> T {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: folder.databasePath, configuration: configuration)
        } catch {
            throw MaintenanceError.io("cannot open the database: \(error)")
        }
        defer { try? queue.close() }
        do {
            return try body(queue)
        } catch let error as MaintenanceError {
            throw error
        } catch {
            throw MaintenanceError.io("cannot read the database: \(error)")
        }
    }

    static func read(_ db: Database) throws -> CheckSnapshot {
        var snapshot = CheckSnapshot()
        snapshot.integrity = try BackupVerify.integrityProblems(db)
        var index: [MailboxID: Int] = [:]
        let mailboxRows = try Row.fetchAll(
            db,
            sql: """
                SELECT m.id, a.name, m.name, m.uidvalidity, m.uidnext, m.highestmodseq, m.used_bytes, m.used_messages
                FROM mailboxes m JOIN accounts a ON a.id = m.account_id ORDER BY m.id
                """)
        for row in mailboxRows {
            let account: String = row[1]
            let name: String = row[2]
            index[row[0]] = snapshot.mailboxes.count
            snapshot.mailboxes.append(
                Mailbox(
                    id: row[0], label: "\(account)/\(name)", uidValidity: row[3], uidNext: row[4],
                    highestModSeq: row[5], usedBytes: row[6], usedMessages: row[7]))
        }
        let messages = try Row.fetchCursor(db, sql: "SELECT mailbox_id, uid, modseq, size, blob FROM messages")
        var seenInMailbox: Set<MailboxID> = []
        while let row = try messages.next() {
            let mailbox: MailboxID = row[0]
            let uid: Int64 = row[1]
            let modSeq: Int64 = row[2]
            let size: Int = row[3]
            let blob: String = row[4]
            snapshot.content[blob, default: []].append(Message(mailbox: mailbox, uid: uid, size: size))
            guard let at = index[mailbox] else { continue }
            var box = snapshot.mailboxes[at]
            let first = seenInMailbox.insert(mailbox).inserted
            box.messages += 1
            box.bytes += Int64(size)
            box.maxUID = max(box.maxUID, uid)
            box.maxModSeq = max(box.maxModSeq, modSeq)
            box.minUID = first ? uid : min(box.minUID, uid)
            box.minModSeq = first ? modSeq : min(box.minModSeq, modSeq)
            snapshot.mailboxes[at] = box
        }
        let expunged = try Row.fetchAll(
            db, sql: "SELECT mailbox_id, max(uid), max(modseq) FROM expunged GROUP BY mailbox_id")
        for row in expunged {
            guard let at = index[row[0]] else { continue }
            snapshot.mailboxes[at].maxExpungedUID = row[1]
            snapshot.mailboxes[at].maxExpungedModSeq = row[2]
        }
        snapshot.bothLiveAndExpunged = try Row.fetchAll(
            db, sql: "SELECT e.mailbox_id, e.uid FROM expunged e JOIN messages m USING (mailbox_id, uid)"
        ).map { row -> (MailboxID, Int64) in (row[0], row[1]) }
        snapshot.lastUIDValidity = try Int64.fetchOne(db, sql: "SELECT last_uidvalidity FROM store_state") ?? 0
        snapshot.unreferencedParseResults =
            try Int.fetchOne(
                db, sql: "SELECT count(*) FROM structures WHERE blob NOT IN (SELECT blob FROM messages)") ?? 0
        return snapshot
    }

    /// Which of `blobs` some message references now (a fresh read).
    static func stillReferenced(_ db: Database, _ blobs: [String]) throws -> Set<String> {
        let statement = try db.makeStatement(sql: "SELECT 1 FROM messages WHERE blob = ? LIMIT 1")
        return Set(try blobs.filter { try Bool.fetchOne(statement, arguments: [$0]) != nil })
    }
}
