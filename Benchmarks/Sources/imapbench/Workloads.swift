import Foundation
import NIOCore

/// Messages to APPEND: from an mbox file (the same bytes to every server), or synthetic ones of a given size.
struct MessageSource: Sendable {
    var messages: [ByteBuffer]

    /// Splits an mbox on "From " separator lines; LF becomes CRLF; ">From " quoting is undone.
    static func mbox(path: String) throws -> MessageSource {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        var messages: [ByteBuffer] = []
        var current = ByteBuffer()
        var started = false
        func flush() {
            if started, current.readableBytes > 0 { messages.append(current) }
            current = ByteBuffer()
        }
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var lineStart = 0
            let bytes = raw.bindMemory(to: UInt8.self)
            let count = bytes.count
            while lineStart < count {
                var end = lineStart
                while end < count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
                var lineEnd = end
                if lineEnd > lineStart && bytes[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
                let line = UnsafeBufferPointer(rebasing: bytes[lineStart..<lineEnd])
                if line.starts(with: "From ".utf8) {
                    flush()
                    started = true
                } else if started {
                    var l = line[...]
                    if l.starts(with: ">From ".utf8) { l = l.dropFirst() }
                    current.writeBytes(l)
                    current.writeString("\r\n")
                }
                lineStart = end + 1
            }
        }
        flush()
        // An mbox ends each message with an empty line: drop that one CRLF.
        messages = messages.map { m in
            var m = m
            if m.readableBytes >= 4, m.getString(at: m.writerIndex - 4, length: 4) == "\r\n\r\n" {
                m.moveWriterIndex(to: m.writerIndex - 2)
            }
            return m
        }
        guard !messages.isEmpty else { throw BenchError.protocolError("no messages in \(path)") }
        return MessageSource(messages: messages)
    }

    /// Writes `count` messages (cycling, as `populate` APPENDs them) as maildir files `cur/<n>.M<n>P0.bench,S=<size>:2,`
    /// (no flags). Returns the number written.
    func writeMaildir(_ path: String, count: Int) throws -> Int {
        let fm = FileManager.default
        for sub in ["cur", "new", "tmp"] {
            try fm.createDirectory(atPath: path + "/" + sub, withIntermediateDirectories: true)
        }
        for index in 0..<count {
            let message = messages[index % messages.count]
            let name = "\(1_700_000_000 + index).M\(index)P0.bench,S=\(message.readableBytes):2,"
            let data = Data(message.readableBytesView)
            guard fm.createFile(atPath: path + "/cur/" + name, contents: data) else {
                throw BenchError.protocolError("cannot write \(path)/cur/\(name)")
            }
        }
        return count
    }

    /// A plain-text message of exactly `size` bytes (CRLF lines of words), deterministic for a seed.
    static func synthetic(size: Int, seed: Int, id: String) -> ByteBuffer {
        let words = ["lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed", "do",
                     "eiusmod", "tempor", "incididunt", "labore", "dolore", "magna", "aliqua", "veniam", "quis",
                     "nostrud", "exercitation", "ullamco", "laboris", "nisi", "aliquip", "commodo", "consequat"]
        var b = ByteBuffer()
        b.writeString("From: Bench Sender <sender\(seed % 97)@example.com>\r\n")
        b.writeString("To: Bench Receiver <receiver@example.org>\r\n")
        b.writeString("Subject: benchmark message \(seed)\r\n")
        b.writeString("Date: Fri, 27 Nov 2026 10:00:00 +0000\r\n")
        b.writeString("Message-ID: <\(id)@bench.example>\r\n")
        b.writeString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n")
        var state = UInt64(truncatingIfNeeded: seed) &* 6364136223846793005 &+ 1442695040888963407
        var lineLength = 0
        while b.readableBytes < size - 2 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let w = words[Int(state >> 33) % words.count]
            let room = size - 2 - b.readableBytes
            if lineLength + w.utf8.count + 1 > 72 || room < w.utf8.count + 3 {
                if room >= 2 {
                    b.writeString("\r\n")
                    lineLength = 0
                }
                if room < w.utf8.count + 3 {
                    let pad = size - 2 - b.readableBytes
                    if pad > 0 { b.writeString(String(repeating: "x", count: pad)) }
                    break
                }
                continue
            }
            b.writeString(w + " ")
            lineLength += w.utf8.count + 1
        }
        b.writeString("\r\n")
        return b
    }
}

struct WorkloadResult: Codable, Sendable {
    var workload: String
    var label: String
    var target: String
    var clients: Int
    var seconds: Double
    var iterations: Int
    var iterationsPerSecond: Double
    var commands: Int
    var commandsPerSecond: Double
    var errors: Int
    var errorSamples: [String]
    var ops: [OpSummary]
    var serverCPUSeconds: Double?
    var serverMemStart: ProcFS.Memory?
    var serverMemPeak: ProcFS.Memory?
    var serverMemEnd: ProcFS.Memory?
    var loadgenCPUSeconds: Double
    var extra: [String: Double] = [:]
    var notes: [String] = []
}

func requireOK(_ name: String, _ r: IMAPResponse) throws {
    guard r.status == "OK" else { throw BenchError.refused(name, r.text) }
}

/// `* 3 FETCH (UID 17 FLAGS (\Seen))` → 17
func parseUIDs(_ lines: [String]) -> [Int] {
    lines.compactMap { line in
        guard let r = line.range(of: "UID ") else { return nil }
        return Int(line[r.upperBound...].prefix { $0.isNumber })
    }
}

/// `a5 OK [APPENDUID 1 42] ...` → 42
func parseAppendUID(_ text: String) -> Int? {
    guard let r = text.range(of: "[APPENDUID ") else { return nil }
    let parts = text[r.upperBound...].prefix { $0 != "]" }.split(separator: " ")
    return parts.count == 2 ? Int(parts[1]) : nil
}

/// Runs the workloads; one instance per run.
struct Bench: Sendable {
    var target: Target
    var group: EventLoopGroup
    var clients: Int
    var duration: Double
    var fetchCount: Int
    var messages: MessageSource
    var appendSize: Int
    var connectConcurrency: Int
    var hold: Double
    var repeatCount: Int
    var searchWord: String

    // MARK: handshake: TLS connect + LOGIN + LOGOUT

    func handshake(deadline: UInt64) async -> (Recorder, Int) {
        await runClients { i in
            var rec = Recorder()
            var n = 0
            while nanotime() < deadline {
                let t0 = nanotime()
                do {
                    let c = try await rec.time("connect+TLS+greeting") {
                        try await IMAPConnection.connect(target, group: group)
                    }
                    defer { c.close() }
                    let login = "LOGIN \(quoted(target.user(i))) \(quoted(target.password))"
                    try await rec.time("LOGIN") { try requireOK("LOGIN", try await c.command(login)) }
                    try await rec.time("LOGOUT") { try requireOK("LOGOUT", try await c.command("LOGOUT")) }
                    rec.record("handshake (all)", nanotime() &- t0)
                    n += 1
                } catch {
                    try? await Task.sleep(for: .milliseconds(10))
                }
            }
            return (rec, n)
        }
    }

    // MARK: mixed / steady

    /// One pass over the mailbox: SELECT, UID FETCH 1:* (FLAGS), whole messages, STORE, APPEND, EXPUNGE.
    private func mailboxPass(_ c: IMAPConnection, _ rec: inout Recorder, client: Int, iteration: Int) async throws {
        try await rec.time("SELECT") { try requireOK("SELECT", try await c.command("SELECT INBOX")) }
        let flags = try await rec.time("UID FETCH 1:* (FLAGS)") {
            let r = try await c.command("UID FETCH 1:* (FLAGS)", collect: true)
            try requireOK("UID FETCH FLAGS", r)
            return r
        }
        let uids = parseUIDs(flags.untagged)
        if !uids.isEmpty {
            for k in 0..<fetchCount {
                let uid = uids[(iteration &* 7 &+ k &* 13 &+ client) % uids.count]
                let r = try await rec.time("UID FETCH BODY.PEEK[]") {
                    let r = try await c.command("UID FETCH \(uid) BODY.PEEK[]")
                    try requireOK("UID FETCH BODY", r)
                    return r
                }
                rec.bytes += r.bytes
            }
            let uid = uids[(iteration &* 3 &+ client) % uids.count]
            let sign = iteration % 2 == 0 ? "+" : "-"
            try await rec.time("UID STORE") {
                try requireOK("UID STORE", try await c.command("UID STORE \(uid) \(sign)FLAGS (\\Flagged)"))
            }
        }
        let message = messages.messages[(iteration &+ client &* 31) % messages.messages.count]
        let appended = try await rec.time("APPEND") {
            let r = try await c.command("APPEND INBOX", literal: message)
            try requireOK("APPEND", r)
            return r
        }
        guard let newUID = parseAppendUID(appended.text) else {
            throw BenchError.protocolError("no APPENDUID in \(appended.text)")
        }
        try await rec.time("UID STORE") {
            try requireOK("UID STORE", try await c.command("UID STORE \(newUID) +FLAGS.SILENT (\\Deleted)"))
        }
        try await rec.time("EXPUNGE") { try requireOK("EXPUNGE", try await c.command("EXPUNGE")) }
    }

    func login(_ i: Int, _ rec: inout Recorder) async throws -> IMAPConnection {
        let c = try await rec.time("connect+TLS+greeting") { try await IMAPConnection.connect(target, group: group) }
        do {
            let login = "LOGIN \(quoted(target.user(i))) \(quoted(target.password))"
            try await rec.time("LOGIN") { try requireOK("LOGIN", try await c.command(login)) }
        } catch {
            c.close()
            throw error
        }
        return c
    }

    func mixed(deadline: UInt64, steady: Bool) async -> (Recorder, Int) {
        await runClients { i in
            var rec = Recorder()
            var n = 0
            var connection: IMAPConnection?
            while nanotime() < deadline {
                do {
                    if connection == nil { connection = try await login(i, &rec) }
                    let c = connection!
                    try await mailboxPass(c, &rec, client: i, iteration: n)
                    if !steady {
                        try await rec.time("LOGOUT") { try requireOK("LOGOUT", try await c.command("LOGOUT")) }
                        c.close()
                        connection = nil
                    }
                    n += 1
                } catch {
                    connection?.close()
                    connection = nil
                    try? await Task.sleep(for: .milliseconds(10))
                }
            }
            if let c = connection {
                _ = try? await c.command("LOGOUT")
                c.close()
            }
            return (rec, n)
        }
    }

    // MARK: append

    func append(deadline: UInt64) async -> (Recorder, Int) {
        await runClients { i in
            var rec = Recorder()
            var n = 0
            var connection: IMAPConnection?
            while nanotime() < deadline {
                do {
                    if connection == nil { connection = try await login(i, &rec) }
                    let msg = MessageSource.synthetic(size: appendSize, seed: i &* 1_000_003 &+ n,
                                                      id: "bench-\(i)-\(n)-\(nanotime())")
                    try await rec.time("APPEND") {
                        try requireOK("APPEND", try await connection!.command("APPEND INBOX", literal: msg))
                    }
                    n += 1
                } catch {
                    connection?.close()
                    connection = nil
                    try? await Task.sleep(for: .milliseconds(10))
                }
            }
            if let c = connection {
                _ = try? await c.command("LOGOUT")
                c.close()
            }
            return (rec, n)
        }
    }

    // MARK: idle

    /// Opens `clients` sessions (LOGIN, SELECT INBOX, IDLE) with at most `connectConcurrency` in flight.
    func idleOpen() async -> (Recorder, [IMAPConnection]) {
        await withTaskGroup(of: (Recorder, IMAPConnection?).self) { group in
            var rec = Recorder()
            var open: [IMAPConnection] = []
            var inFlight = 0
            func collect(_ r: (Recorder, IMAPConnection?)) {
                rec.merge(r.0)
                if let c = r.1 { open.append(c) }
            }
            for i in 0..<clients {
                if inFlight >= connectConcurrency, let r = await group.next() {
                    collect(r)
                    inFlight -= 1
                }
                inFlight += 1
                group.addTask {
                    var rec = Recorder()
                    do {
                        let c = try await login(i, &rec)
                        do {
                            try await rec.time("SELECT") { try requireOK("SELECT", try await c.command("SELECT INBOX")) }
                            try await rec.time("IDLE (until +)") {
                                let r = try await c.command("IDLE", untilContinuation: true)
                                guard r.status == "+" else { throw BenchError.refused("IDLE", r.text) }
                            }
                        } catch {
                            c.close()
                            throw error
                        }
                        return (rec, c)
                    } catch {
                        return (rec, nil)
                    }
                }
            }
            for await r in group { collect(r) }
            return (rec, open)
        }
    }

    func idleClose(_ connections: [IMAPConnection]) async -> Recorder {
        await withTaskGroup(of: Recorder.self) { group in
            var rec = Recorder()
            var inFlight = 0
            for c in connections {
                if inFlight >= connectConcurrency, let r = await group.next() {
                    rec.merge(r)
                    inFlight -= 1
                }
                inFlight += 1
                group.addTask {
                    var rec = Recorder()
                    _ = try? await rec.time("DONE") { try requireOK("DONE", try await c.done()) }
                    _ = try? await rec.time("LOGOUT") { try await c.command("LOGOUT") }
                    c.close()
                    return rec
                }
            }
            for await r in group { rec.merge(r) }
            return rec
        }
    }

    // MARK: big mailbox

    /// (label, command) of the SORT and THREAD steps of `bigMailbox`.
    static let sortCommands = [
        ("UID SORT (ARRIVAL)", "UID SORT (ARRIVAL) UTF-8 ALL"), ("UID SORT (DATE)", "UID SORT (DATE) UTF-8 ALL"),
        ("UID SORT (FROM)", "UID SORT (FROM) UTF-8 ALL"), ("UID SORT (SUBJECT)", "UID SORT (SUBJECT) UTF-8 ALL"),
        ("UID THREAD REFERENCES", "UID THREAD REFERENCES UTF-8 ALL"),
    ]

    func bigMailbox() async throws -> (Recorder, [String: Double], [String]) {
        var rec = Recorder()
        var extra: [String: Double] = [:]
        var notes: [String] = []
        let c = try await login(0, &rec)
        defer { c.close() }
        var bigUID: Int?
        for round in 0..<repeatCount {
            let sel = try await rec.time("SELECT") {
                let r = try await c.command("SELECT INBOX", collect: true)
                try requireOK("SELECT", r)
                return r
            }
            if round == 0, let exists = sel.untagged.first(where: { $0.hasSuffix(" EXISTS") }) {
                extra["messages"] = Double(exists.split(separator: " ")[1]) ?? 0
            }
            try await rec.time("UID FETCH 1:* (FLAGS)") {
                try requireOK("UID FETCH FLAGS", try await c.command("UID FETCH 1:* (FLAGS)"))
            }
            // A refusal (Postern: not implemented yet) is a note, not a latency.
            let t0 = nanotime()
            if let r = try? await c.command("FETCH 1:* (ENVELOPE BODYSTRUCTURE)") {
                if r.status == "OK" {
                    rec.record("FETCH 1:* (ENVELOPE BODYSTRUCTURE)", nanotime() &- t0)
                } else if round == 0 {
                    notes.append("FETCH 1:* (ENVELOPE BODYSTRUCTURE): \(r.status) — \(r.text.prefix(120))")
                }
            }
            try await rec.time("UID SEARCH UNSEEN") {
                try requireOK("UID SEARCH UNSEEN", try await c.command("UID SEARCH UNSEEN"))
            }
            try await rec.time("UID SEARCH TEXT") {
                try requireOK("UID SEARCH TEXT", try await c.command("UID SEARCH TEXT \(quoted(searchWord))"))
            }
            // SORT and THREAD (RFC 5256): the first round also derives what they compare, the others read it.
            for (name, command) in Self.sortCommands {
                try await rec.time(name) { try requireOK(name, try await c.command(command)) }
            }
            if bigUID == nil {
                let r = try await c.command("UID SEARCH LARGER 10000000", collect: true)
                bigUID = r.untagged.first(where: { $0.hasPrefix("* SEARCH") })
                    .flatMap { $0.split(separator: " ").dropFirst(2).last.flatMap { Int($0) } }
                if bigUID == nil { notes.append("no message larger than 10 MB in the mailbox") }
            }
            if let uid = bigUID {
                let t1 = nanotime()
                let r = try await c.command("UID FETCH \(uid) BODY.PEEK[]")
                try requireOK("UID FETCH big BODY[]", r)
                rec.record("big message: whole BODY[]", nanotime() &- t1)
                if let ttfb = r.firstLiteralNanos { rec.record("big message: first byte", ttfb) }
                extra["bigMessageBytes"] = Double(r.literalBytes)
            }
        }
        _ = try? await c.command("LOGOUT")
        return (rec, extra, notes)
    }

    // MARK: populate (untimed set-up)

    /// APPENDs `count` messages from the source (cycling) to client i's INBOX, over `clients` connections, then
    /// a big synthetic message of `bigSize` bytes if asked.
    func populate(users: Range<Int>, count: Int, bigSize: Int) async throws -> Int {
        var total = 0
        for u in users { total += try await populate(user: u, count: count, bigSize: bigSize) }
        return total
    }

    func populate(user: Int, count: Int, bigSize: Int) async throws -> Int {
        let perClient = (count + clients - 1) / clients
        let results = await withTaskGroup(of: (Int, String?).self) { group in
            for k in 0..<clients {
                group.addTask {
                    var rec = Recorder()
                    do {
                        let c = try await login(user, &rec)
                        defer { c.close() }
                        var done = 0
                        for j in 0..<perClient {
                            let index = k * perClient + j
                            if index >= count { break }
                            let msg = messages.messages[index % messages.messages.count]
                            try requireOK("APPEND", try await c.command("APPEND INBOX", literal: msg))
                            done += 1
                        }
                        _ = try? await c.command("LOGOUT")
                        return (done, nil)
                    } catch {
                        return (0, "\(error)")
                    }
                }
            }
            var out: [(Int, String?)] = []
            for await r in group { out.append(r) }
            return out
        }
        if let e = results.compactMap({ $0.1 }).first { throw BenchError.protocolError("populate: \(e)") }
        if bigSize > 0 {
            var rec = Recorder()
            let c = try await login(user, &rec)
            defer { c.close() }
            let big = MessageSource.synthetic(size: bigSize, seed: 20, id: "big-message")
            try requireOK("APPEND big", try await c.command("APPEND INBOX", literal: big))
            _ = try? await c.command("LOGOUT")
        }
        return results.reduce(0) { $0 + $1.0 }
    }

    // MARK: helpers

    func runClients(_ body: @escaping @Sendable (Int) async -> (Recorder, Int)) async -> (Recorder, Int) {
        await withTaskGroup(of: (Recorder, Int).self) { group in
            for i in 0..<clients { group.addTask { await body(i) } }
            var rec = Recorder()
            var n = 0
            for await r in group {
                rec.merge(r.0)
                n += r.1
            }
            return (rec, n)
        }
    }
}
