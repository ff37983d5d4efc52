import ArgumentParser
import Foundation
import NIOCore
import NIOPosix

enum Workload: String, ExpressibleByArgument, CaseIterable, Sendable {
    case handshake, mixed, steady, append, idle, bigmailbox, populate, appendnoop, contended
}

extension TLSMode: ExpressibleByArgument {}

@main
struct IMAPBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "imapbench",
        abstract: "IMAP load generator (SwiftNIO + NIOSSL) for any IMAP server.",
        discussion: """
            Workloads:
              handshake   TLS connect + LOGIN + LOGOUT in a loop, per client
              mixed       per iteration: connect, LOGIN, SELECT INBOX, UID FETCH 1:* (FLAGS), --fetch-count whole
                          messages, UID STORE flags, APPEND, UID STORE \\Deleted on it, EXPUNGE, LOGOUT
              steady      the same but logged in once (no connect/LOGIN/LOGOUT per iteration)
              append      APPEND --append-size bytes messages in a loop (logged in once)
              appendnoop  --appenders clients APPEND --append-size bytes messages in a loop (each its own user)
                          while --clients other sessions send NOOP every --noop-interval s; NOOP latency
                          alone (--baseline s) and during the APPENDs, APPEND MB/s
              idle        --clients sessions: LOGIN, SELECT INBOX, IDLE; hold --hold s; server memory per session
              bigmailbox  SELECT, UID FETCH 1:* (FLAGS), FETCH 1:* (ENVELOPE BODYSTRUCTURE), UID SEARCH UNSEEN,
                          UID SEARCH TEXT, UID SORT (ARRIVAL, DATE, FROM, SUBJECT), UID THREAD REFERENCES,
                          first byte / whole of the largest (>10 MB) message; --repeat times
              populate    untimed set-up: for each user of --users, APPEND --count messages from --mbox (cycling)
                          over --clients connections, then one --big-size message
              contended   each client loops over users picked at random from --users (so sessions share
                          mailboxes): LOGIN, LIST, STATUS, SELECT, UID FETCH 1:* (FLAGS), --fetch-count whole
                          messages, UID STORE \\Seen, its own message of its last visit (checked, \\Deleted,
                          EXPUNGE), APPEND, UID STORE of a keyword on it, LOGOUT; answers are checked
                          (EXISTS/EXPUNGE/FETCH numbers, flags it set, UIDs it appended): "consistency" errors
            Client i logs in as --user with %d replaced by the i-th number of --users (cycling).
            """)

    @Argument(help: "handshake | mixed | steady | append | idle | bigmailbox | populate | appendnoop | contended")
    var workload: Workload

    @Option(help: "Server address.") var host = "127.0.0.1"
    @Option(help: "Server port.") var port = 993
    @Option(help: "implicit (IMAPS) | starttls | none") var tls = TLSMode.implicit
    @Option(help: "TLS server name (SNI); none by default.") var serverName: String?
    @Option(help: "User name template; %d is the user number.") var user = "user%d"
    @Option(help: "User numbers, FIRST-LAST.") var users = "1-1000"
    @Option(help: "Password of every user.") var password = "pass"
    @Option(help: "Concurrent clients (sessions for idle).") var clients = 20
    @Option(help: "Seconds of load (not for idle, bigmailbox, populate).") var duration: Double = 20
    @Option(help: "Event-loop threads of the load generator.") var threads = 1
    @Option(help: "Server PID: CPU seconds and memory (RSS, or PSS summed over its process tree).") var pid: Int32?
    @Option(help: "Label for the report (server name).") var label = "server"
    @Option(help: "Write the result as JSON to this file.") var json: String?
    @Option(help: "mbox file whose messages mixed and populate APPEND (same bytes to every server).") var mbox: String?
    @Option(help: "Whole messages fetched per mixed/steady iteration.") var fetchCount = 3
    @Option(help: "Size of each appended message for the append workload, bytes.") var appendSize = 20 * 1024
    @Option(help: "appendnoop: clients APPENDing (users 1…N; the NOOP clients follow).") var appenders = 8
    @Option(help: "appendnoop: seconds between two NOOPs of one client.") var noopInterval = 0.1
    @Option(help: "appendnoop: seconds of NOOPs alone before the APPENDs start.") var baseline: Double = 5
    @Option(help: "idle: sessions opening at once.") var connectConcurrency = 50
    @Option(help: "idle: seconds to hold the sessions in IDLE before measuring again.") var hold: Double = 10
    @Option(help: "bigmailbox: rounds.") var repeatCount = 3
    @Option(help: "bigmailbox: word for UID SEARCH TEXT.") var searchWord = "outage"
    @Option(help: "populate: messages to APPEND.") var count = 1000
    @Option(help: "populate: size of the extra big message (0 for none).") var bigSize = 0
    @Option(help: "populate: write the --count messages as files into this maildir (its cur/) instead of APPENDing them; for a server indexed afterwards, untimed (Dovecot at 100,000 messages).") var maildir: String?

    func run() async throws {
        let limit = raiseOpenFilesLimit()
        let parts = users.split(separator: "-").compactMap { Int($0) }
        let first = parts.first ?? 1
        let last = parts.count > 1 ? parts[1] : first
        let target = Target(host: host, port: port, tls: tls, sslContext: try Target.makeSSLContext(),
                            serverName: serverName, userTemplate: user, password: password, firstUser: first,
                            userCount: last - first + 1)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)

        let source: MessageSource
        if let mbox {
            source = try MessageSource.mbox(path: mbox)
        } else {
            source = MessageSource(messages: (0..<50).map {
                MessageSource.synthetic(size: 2_000 + ($0 * 977) % 30_000, seed: $0, id: "synthetic-\($0)")
            })
        }
        let bench = Bench(target: target, group: group, clients: clients, duration: duration, fetchCount: fetchCount,
                          messages: source, appendSize: appendSize, connectConcurrency: connectConcurrency,
                          hold: hold, repeatCount: repeatCount, searchWord: searchWord)
        let targetText = "\(host):\(port) tls=\(tls.rawValue)"

        if workload == .populate, let maildir {
            let t0 = nanotime()
            let n = try source.writeMaildir(maildir, count: count)
            print("wrote \(n) messages into \(maildir)/cur in " + String(format: "%.1f s", Double(nanotime() - t0) / 1e9))
            return
        }
        if workload == .populate {
            let t0 = nanotime()
            let n = try await bench.populate(users: 0..<target.userCount, count: count, bigSize: bigSize)
            print("populated \(n) messages (+\(bigSize > 0 ? 1 : 0) big each) for \(target.userCount) users in "
                  + String(format: "%.1f s", Double(nanotime() - t0) / 1e9))
            return
        }

        let tree = { pid.map { ProcFS.tree($0) } ?? [] }
        let memStart = pid.map { _ in ProcFS.memory(tree()) }
        let cpuStart = pid.map { _ in ProcFS.cpuSeconds(tree()) }
        let sampler = pid.map { ServerSampler(pid: $0) }
        if workload != .idle { sampler?.start(interval: workload == .bigmailbox ? 0.25 : 1) }
        let selfCPU0 = selfCPUSeconds()
        let t0 = nanotime()
        var rec = Recorder()
        var iterations = 0
        var extra: [String: Double] = [:]
        var notes: [String] = []
        var memPeak: ProcFS.Memory?
        var memEnd: ProcFS.Memory?
        var measuredSeconds = 0.0
        notes.append("open-files limit of the load generator: \(limit)")

        switch workload {
        case .handshake, .mixed, .steady, .append, .contended:
            let deadline = t0 + UInt64(duration * 1e9)
            let (r, n) = switch workload {
            case .handshake: await bench.handshake(deadline: deadline)
            case .mixed: await bench.mixed(deadline: deadline, steady: false)
            case .steady: await bench.mixed(deadline: deadline, steady: true)
            case .contended: await bench.contended(deadline: deadline)
            default: await bench.append(deadline: deadline)
            }
            rec = r
            iterations = n
            measuredSeconds = Double(nanotime() - t0) / 1e9
        case .idle:
            let (r, open) = await bench.idleOpen()
            rec = r
            let rampSeconds = Double(nanotime() - t0) / 1e9
            extra["sessions"] = Double(open.count)
            extra["rampSeconds"] = rampSeconds
            iterations = open.count
            try? await Task.sleep(for: .seconds(2))
            if let pid {
                let m1 = ProcFS.memory(ProcFS.tree(pid))
                try? await Task.sleep(for: .seconds(hold))
                let m2 = ProcFS.memory(ProcFS.tree(pid))
                memPeak = m1.kB > m2.kB ? m1 : m2
                memEnd = m2
                if let s = memStart, open.count > 0 {
                    extra["memPerSessionKB"] = Double(m2.kB - s.kB) / Double(open.count)
                    extra["pssPerSessionKB"] = Double(m2.pssKB - s.pssKB) / Double(open.count)
                    extra["rssPerSessionKB"] = Double(m2.rssKB - s.rssKB) / Double(open.count)
                    extra["processes"] = Double(m2.processes)
                }
            } else {
                try? await Task.sleep(for: .seconds(hold))
            }
            measuredSeconds = rampSeconds
            rec.merge(await bench.idleClose(open))
        case .bigmailbox:
            let (r, e, n) = try await bench.bigMailbox()
            rec = r
            extra = e
            notes += n
            iterations = repeatCount
            measuredSeconds = Double(nanotime() - t0) / 1e9
        case .appendnoop:
            let r = await bench.appendNoop(appenders: appenders, noopInterval: noopInterval, baseline: baseline)
            rec = r.recorder
            iterations = r.appends
            extra = r.extra
            notes += r.notes
            measuredSeconds = r.seconds
        case .populate:
            return
        }
        let elapsed = Double(nanotime() - t0) / 1e9
        if let sampler {
            let s = sampler.stop()
            memPeak = memPeak ?? s.peak
            memEnd = memEnd ?? s.last
            if workload == .contended { extra["memAverageKB"] = s.averageKB }
        }
        var cpu: Double?
        if let pid, let cpuStart {
            cpu = ProcFS.cpuSeconds(ProcFS.tree(pid)) - cpuStart
            if memEnd == nil || memEnd!.processes == 0 { memEnd = ProcFS.memory(ProcFS.tree(pid)) }
        }
        let order = ["connect+TLS+greeting", "LOGIN", "SELECT", "UID FETCH 1:* (FLAGS)", "UID FETCH BODY.PEEK[]",
                     "UID STORE", "APPEND", "EXPUNGE", "LOGOUT", "handshake (all)", "IDLE (until +)", "DONE",
                     "FETCH 1:* (ENVELOPE BODYSTRUCTURE)", "UID SEARCH UNSEEN", "UID SEARCH TEXT",
                     "UID SORT (ARRIVAL)", "UID SORT (DATE)", "UID SORT (FROM)", "UID SORT (SUBJECT)",
                     "UID THREAD REFERENCES", "big message: first byte", "big message: whole BODY[]", "NOOP (alone)", "NOOP (during APPEND)",
                     "LIST", "STATUS", "UID FETCH (FLAGS)", "consistency"]
        let ops = summarize(rec, seconds: measuredSeconds, order: order)
        let commands = ops.filter { !$0.name.hasPrefix("connect") && !$0.name.hasPrefix("handshake")
            && !$0.name.hasPrefix("big message: first") }.reduce(0) { $0 + $1.count }
        let errors = rec.errors.values.reduce(0, +)
        let result = WorkloadResult(
            workload: workload.rawValue, label: label, target: targetText, clients: clients,
            seconds: measuredSeconds, iterations: iterations,
            iterationsPerSecond: measuredSeconds > 0 ? Double(iterations) / measuredSeconds : 0,
            commands: commands, commandsPerSecond: measuredSeconds > 0 ? Double(commands) / measuredSeconds : 0,
            errors: errors, errorSamples: rec.errorSamples, ops: ops, serverCPUSeconds: cpu,
            serverMemStart: memStart, serverMemPeak: memPeak, serverMemEnd: memEnd,
            loadgenCPUSeconds: selfCPUSeconds() - selfCPU0, extra: extra, notes: notes)
        printReport(result, elapsed: elapsed)
        if let json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            enc.nonConformingFloatEncodingStrategy = .convertToString(
                positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            try enc.encode(result).write(to: URL(fileURLWithPath: json))
        }
    }

    func printReport(_ r: WorkloadResult, elapsed: Double) {
        print("\(r.label): \(r.workload) against \(r.target), \(r.clients) clients, "
              + String(format: "%.1f s measured (%.1f s total)", r.seconds, elapsed))
        print(String(format: "  iterations %d (%.1f/s), commands %d (%.1f/s), errors %d", r.iterations,
                     r.iterationsPerSecond, r.commands, r.commandsPerSecond, r.errors))
        let nameWidth = max(24, r.ops.map { $0.name.count }.max() ?? 0)
        func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s : s + String(repeating: " ", count: w - s.count) }
        print("  " + pad("operation", nameWidth) + "   count      /s    p50 ms   p90 ms   p99 ms   max ms  errors")
        for o in r.ops {
            print("  " + pad(o.name, nameWidth)
                  + String(format: " %7d %7.1f %9.3f %8.3f %8.3f %8.2f %7d", o.count, o.perSecond, o.p50ms, o.p90ms,
                           o.p99ms, o.maxms, o.errors))
        }
        if let cpu = r.serverCPUSeconds {
            print(String(format: "  server CPU %.2f s (%.0f%% of one core)", cpu, 100 * cpu / max(elapsed, 0.001)))
        }
        if let s = r.serverMemStart, let p = r.serverMemPeak, let e = r.serverMemEnd {
            print("  server memory (kB; RSS for one process, PSS sum for a tree): start \(s.kB) (\(s.processes) procs),"
                  + " peak \(p.kB) (\(p.processes) procs), end \(e.kB)")
        }
        print(String(format: "  load generator CPU %.2f s", r.loadgenCPUSeconds))
        for (k, v) in r.extra.sorted(by: { $0.key < $1.key }) { print("  \(k) = \(String(format: "%.1f", v))") }
        for n in r.notes { print("  note: \(n)") }
        for e in r.errorSamples { print("  error: \(e)") }
    }
}

/// Raises the soft open-files limit to the hard one; returns the soft limit now in force.
func raiseOpenFilesLimit() -> UInt64 {
    var rl = rlimit()
    getrlimit(Int32(RLIMIT_NOFILE.rawValue), &rl)
    rl.rlim_cur = rl.rlim_max
    setrlimit(Int32(RLIMIT_NOFILE.rawValue), &rl)
    getrlimit(Int32(RLIMIT_NOFILE.rawValue), &rl)
    return UInt64(rl.rlim_cur)
}
