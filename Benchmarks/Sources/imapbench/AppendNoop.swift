import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// appendnoop: does a server stay responsive while it takes in large messages? `appenders` clients APPEND
/// `appendSize`-byte messages in a loop, each as its own user, while `clients` other sessions (logged in, nothing
/// selected) each send NOOP every `noopInterval` seconds and time it. A server that does slow work (file writes,
/// hashing, parsing) on the thread that also serves other connections shows it in the NOOP tail latency.
extension Bench {
    struct AppendNoopResult {
        var recorder: Recorder
        var appends: Int
        var seconds: Double
        var extra: [String: Double]
        var notes: [String]
    }

    /// Logs every session in (untimed), runs `baseline` seconds of NOOPs alone ("NOOP (alone)"), then the appenders
    /// for `duration` seconds with the NOOPs going on ("NOOP (during APPEND)"); an APPEND started before the end is
    /// waited for. The appenders have an event loop of their own in the load generator, so that encrypting their
    /// messages never delays the reading of a NOOP's answer.
    func appendNoop(appenders: Int, noopInterval: Double, baseline: Double) async -> AppendNoopResult {
        var rec = Recorder()
        var notes: [String] = []
        let appendLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var appenderBench = self
        appenderBench.group = appendLoop
        let appendBench = appenderBench

        // Users: appender k is user index k, NOOP client j is user index appenders + j.
        let noopConnections = await withTaskGroup(of: (Recorder, IMAPConnection?).self) { group in
            for j in 0..<clients {
                group.addTask {
                    var rec = Recorder()
                    let connection = try? await login(appenders + j, &rec)
                    return (rec, connection)
                }
            }
            var open: [IMAPConnection] = []
            for await (r, c) in group {
                rec.merge(r)
                if let c { open.append(c) }
            }
            return open
        }
        defer { for c in noopConnections { c.close() } }
        if noopConnections.count < clients {
            notes.append("only \(noopConnections.count) of \(clients) NOOP sessions logged in")
        }
        let body = MessageSource.synthetic(size: appendSize, seed: 1, id: "appendnoop")
        let interval = noopInterval

        func noops(_ name: String, stop: @escaping @Sendable () -> Bool) async -> Recorder {
            await withTaskGroup(of: Recorder.self) { group in
                for (j, c) in noopConnections.enumerated() {
                    let offset = UInt64(interval * 1e9) * UInt64(j) / UInt64(max(noopConnections.count, 1))
                    group.addTask { await Self.noopLoop(c, name: name, interval: interval, offset: offset, stop: stop) }
                }
                var rec = Recorder()
                for await r in group { rec.merge(r) }
                return rec
            }
        }

        let baselineEnd = nanotime() + UInt64(baseline * 1e9)
        rec.merge(await noops("NOOP (alone)") { nanotime() >= baselineEnd })

        let stopped = NIOLockedValueBox(false)
        let t0 = nanotime()
        let deadline = t0 + UInt64(duration * 1e9)
        async let during = noops("NOOP (during APPEND)") { stopped.withLockedValue { $0 } }
        let (appendRec, appends, bytes) = await withTaskGroup(of: (Recorder, Int, Int).self) { group in
            for k in 0..<appenders {
                group.addTask { await appendBench.appendLoop(k, body: body, deadline: deadline) }
            }
            var rec = Recorder()
            var appends = 0
            var bytes = 0
            for await (r, n, b) in group {
                rec.merge(r)
                appends += n
                bytes += b
            }
            return (rec, appends, bytes)
        }
        let seconds = Double(nanotime() - t0) / 1e9
        try? await appendLoop.shutdownGracefully()
        stopped.withLockedValue { $0 = true }
        rec.merge(await during)
        rec.merge(appendRec)
        let extra: [String: Double] = [
            "appenders": Double(appenders), "appendMBps": Double(bytes) / 1_048_576 / max(seconds, 0.001),
            "appendMessageMB": Double(body.readableBytes) / 1_048_576, "noopSessions": Double(noopConnections.count),
            "noopIntervalMs": interval * 1000,
        ]
        return AppendNoopResult(recorder: rec, appends: appends, seconds: seconds, extra: extra, notes: notes)
    }

    /// One NOOP every `interval` seconds (starting `offset` ns in, to spread the clients), none to catch up when
    /// one took longer; until `stop()` or the connection fails.
    private static func noopLoop(
        _ c: IMAPConnection, name: String, interval: Double, offset: UInt64, stop: @Sendable () -> Bool
    ) async -> Recorder {
        var rec = Recorder()
        let step = UInt64(interval * 1e9)
        var next = nanotime() + offset
        while !stop() {
            let now = nanotime()
            if next > now {
                try? await Task.sleep(nanoseconds: next - now)
                if stop() { break }
            }
            next = max(next + step, nanotime())
            do {
                try await rec.time(name) { try requireOK("NOOP", try await c.command("NOOP")) }
            } catch {
                break
            }
        }
        return rec
    }

    /// Client k APPENDs `body` with a header line of its own in front (every message is different) until the
    /// deadline; returns the APPENDs and bytes acknowledged.
    private func appendLoop(_ k: Int, body: ByteBuffer, deadline: UInt64) async -> (Recorder, Int, Int) {
        var rec = Recorder()
        var n = 0
        var bytes = 0
        var connection: IMAPConnection?
        while nanotime() < deadline {
            do {
                if connection == nil { connection = try await login(k, &rec) }
                var message = ByteBuffer(string: "X-Bench-Sequence: \(k)-\(n)-\(nanotime())\r\n")
                message.writeImmutableBuffer(body)
                try await rec.time("APPEND") {
                    try requireOK("APPEND", try await connection!.command("APPEND INBOX", literal: message))
                }
                n += 1
                bytes += message.readableBytes
            } catch {
                connection?.close()
                connection = nil
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        if let c = connection {
            _ = try? await c.command("LOGOUT")
            c.close()
        }
        return (rec, n, bytes)
    }
}
