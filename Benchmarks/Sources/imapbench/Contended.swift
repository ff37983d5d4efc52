import Foundation
import NIOCore

/// What one session knows about its selected mailbox, from every untagged answer in order. An answer that
/// contradicts it is an inconsistency: EXISTS that shrinks without EXPUNGE, EXPUNGE or FETCH of a sequence
/// number beyond the mailbox.
struct MailboxView {
    var exists = 0
    var uidValidity = 0
    var problems: [String] = []

    /// Applies the untagged lines of one answer; returns the number of EXPUNGE lines.
    @discardableResult
    mutating func apply(_ lines: [String], command: String) -> Int {
        var expunged = 0
        for line in lines {
            let words = line.split(separator: " ", maxSplits: 3)
            guard words.count >= 3, words[0] == "*", let n = Int(words[1]) else { continue }
            switch words[2].uppercased() {
            case "EXISTS":
                if n < exists { problems.append("\(command): EXISTS \(n) after \(exists) without EXPUNGE") }
                exists = n
            case "EXPUNGE":
                if n < 1 || n > exists { problems.append("\(command): EXPUNGE \(n) of \(exists) messages") }
                exists = max(0, exists - 1)
                expunged += 1
            case "FETCH":
                if n < 1 || n > exists { problems.append("\(command): FETCH \(n) of \(exists) messages") }
            default:
                continue
            }
        }
        return expunged
    }
}

/// `* OK [UIDVALIDITY 123] ...` → 123 (or another bracketed number code).
func responseCode(_ name: String, in lines: [String]) -> Int? {
    for line in lines {
        guard let r = line.range(of: "[\(name) ") else { continue }
        return Int(line[r.upperBound...].prefix { $0.isNumber })
    }
    return nil
}

/// `* STATUS INBOX (MESSAGES 12 UIDNEXT 40)` → the value of `item`.
func statusItem(_ item: String, in lines: [String]) -> Int? {
    for line in lines where line.hasPrefix("* STATUS") {
        guard let r = line.range(of: "\(item) ") else { continue }
        return Int(line[r.upperBound...].prefix { $0.isNumber })
    }
    return nil
}

/// The keyword a contended client sets on the messages it appended (no other client touches those).
let benchKeyword = "$BenchOwn"

extension Bench {
    // MARK: contended: clients pick users at random, so sessions share mailboxes

    /// Each client loops: a random user of the `--users` range, then connect, LOGIN, LIST, STATUS, SELECT,
    /// UID FETCH 1:* (FLAGS), whole messages, UID STORE ±\Seen on a random message, its own message from its last
    /// visit to this user (found, with the flags it set, then \Deleted and EXPUNGE), APPEND, UID STORE of a
    /// keyword on the new UID, LOGOUT. Every answer is checked against what the client knows; a contradiction is
    /// an error under "consistency".
    func contended(deadline: UInt64) async -> (Recorder, Int) {
        await runClients { i in
            var rec = Recorder()
            var generator = SystemRandomNumberGenerator()
            var owned: [Int: Int] = [:]  // user index -> UID this client appended there last time
            var n = 0
            while nanotime() < deadline {
                let user = Int.random(in: 0..<max(target.userCount, 1), using: &generator)
                var c: IMAPConnection?
                do {
                    let connection = try await rec.time("connect+TLS+greeting") {
                        try await IMAPConnection.connect(target, group: group)
                    }
                    c = connection
                    try await contendedPass(connection, &rec, client: i, user: user, owned: &owned,
                                            iteration: n, generator: &generator)
                    n += 1
                } catch {
                    try? await Task.sleep(for: .milliseconds(10))
                }
                c?.close()
            }
            return (rec, n)
        }
    }

    private func contendedPass(_ c: IMAPConnection, _ rec: inout Recorder, client: Int, user: Int,
                               owned: inout [Int: Int], iteration: Int,
                               generator: inout SystemRandomNumberGenerator) async throws {
        func run(_ name: String, _ line: String, literal: ByteBuffer? = nil) async throws -> IMAPResponse {
            try await rec.time(name) {
                let r = try await c.command(line, literal: literal, collect: true)
                try requireOK(name, r)
                return r
            }
        }
        func inconsistent(_ text: String) {
            rec.error("consistency", BenchError.protocolError(text))
        }
        let login = "LOGIN \(quoted(target.user(user))) \(quoted(target.password))"
        _ = try await run("LOGIN", login)
        _ = try await run("LIST", "LIST \"\" \"*\"")
        let status = try await run("STATUS", "STATUS INBOX (MESSAGES UIDNEXT)")
        let uidNextBefore = statusItem("UIDNEXT", in: status.untagged) ?? 0
        var view = MailboxView()
        let selected = try await run("SELECT", "SELECT INBOX")
        view.apply(selected.untagged, command: "SELECT")
        view.uidValidity = responseCode("UIDVALIDITY", in: selected.untagged) ?? 0

        let flags = try await run("UID FETCH 1:* (FLAGS)", "UID FETCH 1:* (FLAGS)")
        view.apply(flags.untagged, command: "UID FETCH FLAGS")
        let uids = parseUIDs(flags.untagged.filter { $0.contains(" FETCH ") })
        if !uids.isEmpty {
            for _ in 0..<fetchCount {
                let uid = uids[Int.random(in: 0..<uids.count, using: &generator)]
                let r = try await run("UID FETCH BODY.PEEK[]", "UID FETCH \(uid) BODY.PEEK[]")
                view.apply(r.untagged, command: "UID FETCH BODY")
                rec.bytes += r.bytes
            }
            let uid = uids[Int.random(in: 0..<uids.count, using: &generator)]
            let sign = iteration % 2 == 0 ? "+" : "-"
            let r = try await run("UID STORE", "UID STORE \(uid) \(sign)FLAGS (\\Seen)")
            view.apply(r.untagged, command: "UID STORE")
        }

        // The message this client appended on its last visit: nobody else touches it, so it must be there,
        // with the keyword it set.
        if let mine = owned[user] {
            let r = try await run("UID FETCH (FLAGS)", "UID FETCH \(mine) (FLAGS)")
            view.apply(r.untagged, command: "UID FETCH own")
            let line = r.untagged.first { $0.contains(" FETCH ") && parseUIDs([$0]).first == mine }
            if let line {
                if !line.contains(benchKeyword) { inconsistent("UID \(mine) lost \(benchKeyword): \(line)") }
            } else {
                inconsistent("UID \(mine), appended by this client, is missing")
            }
            owned[user] = nil  // from here on another session's EXPUNGE may remove it
            let stored = try await run("UID STORE", "UID STORE \(mine) +FLAGS.SILENT (\\Deleted)")
            // Another session's EXPUNGE may remove it first and the server may announce that already in the
            // STORE's answer: the two answers together announce at least one EXPUNGE.
            var announced = view.apply(stored.untagged, command: "UID STORE own")
            let expunged = try await run("EXPUNGE", "EXPUNGE")
            announced += view.apply(expunged.untagged, command: "EXPUNGE")
            if announced == 0 && line != nil {
                inconsistent("EXPUNGE of UID \(mine) announced nothing")
            }
        }

        let message = messages.messages[Int.random(in: 0..<messages.messages.count, using: &generator)]
        let existsBefore = view.exists
        let appended = try await run("APPEND", "APPEND INBOX", literal: message)
        var gone = view.apply(appended.untagged, command: "APPEND")
        guard let newUID = parseAppendUID(appended.text) else {
            inconsistent("no APPENDUID in \(appended.text)")
            _ = try await run("LOGOUT", "LOGOUT")
            return
        }
        if newUID < uidNextBefore { inconsistent("APPENDUID \(newUID) below UIDNEXT \(uidNextBefore) seen before") }
        if let validity = responseCode("APPENDUID", in: [appended.text]), validity != view.uidValidity {
            inconsistent("APPENDUID validity \(validity) is not the selected UIDVALIDITY \(view.uidValidity)")
        }
        let marked = try await run("UID STORE", "UID STORE \(newUID) +FLAGS (\(benchKeyword))")
        gone += view.apply(marked.untagged, command: "UID STORE new")
        // Other sessions may expunge meanwhile: what was there, plus ours, minus what they removed.
        if view.exists + gone <= existsBefore {
            inconsistent("EXISTS \(view.exists) (\(gone) expunged) not above \(existsBefore) after APPEND")
        }
        let line = marked.untagged.first { $0.contains(" FETCH ") && parseUIDs([$0]).first == newUID }
        if let line, !line.contains(benchKeyword) { inconsistent("STORE answer without \(benchKeyword): \(line)") }
        if line == nil { inconsistent("STORE on the new UID \(newUID) answered no FETCH") }
        owned[user] = newUID
        for problem in view.problems { inconsistent(problem) }
        _ = try await run("LOGOUT", "LOGOUT")
    }
}
