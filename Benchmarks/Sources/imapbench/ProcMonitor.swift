import Foundation
import NIOConcurrencyHelpers

/// CPU and memory of a server from /proc: RSS of a single process, PSS summed over a process tree (a server that
/// forks per session, like Dovecot). Same method as shared/reference/proc-mem.py.
enum ProcFS {
    static let clockTicks = Double(sysconf(Int32(_SC_CLK_TCK)))

    static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 8192)
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, 8192) }
            if n <= 0 { break }
            out.append(contentsOf: buf[0..<n])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Fields after "pid (comm) ": index 0 is state, 1 ppid, 11..14 utime stime cutime cstime.
    static func statFields(_ pid: Int32) -> [Substring]? {
        guard let s = read("/proc/\(pid)/stat"), let close = s.lastIndex(of: ")") else { return nil }
        return s[s.index(close, offsetBy: 2)...].split(separator: " ")
    }

    static func tree(_ root: Int32) -> [Int32] {
        var kids: [Int32: [Int32]] = [:]
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") {
            for e in entries {
                guard let pid = Int32(e), let f = statFields(pid), f.count > 1, let ppid = Int32(f[1]) else { continue }
                kids[ppid, default: []].append(pid)
            }
        }
        var out: [Int32] = []
        var stack = [root]
        while let p = stack.popLast() {
            out.append(p)
            stack.append(contentsOf: kids[p] ?? [])
        }
        return out
    }

    /// user+system CPU of the live processes plus their reaped children.
    static func cpuSeconds(_ pids: [Int32]) -> Double {
        var ticks = 0
        for p in pids {
            guard let f = statFields(p), f.count > 14 else { continue }
            for i in 11...14 { ticks += Int(f[i]) ?? 0 }
        }
        return Double(ticks) / clockTicks
    }

    struct Memory: Codable, Sendable {
        var processes = 0
        var rssKB = 0
        var pssKB = 0
        /// RSS for one process, PSS sum for a tree of several.
        var kB: Int { processes > 1 ? pssKB : rssKB }
    }

    static func memory(_ pids: [Int32]) -> Memory {
        var m = Memory()
        for p in pids {
            guard let status = read("/proc/\(p)/status") else { continue }
            m.processes += 1
            for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
                m.rssKB += Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
            }
            if let roll = read("/proc/\(p)/smaps_rollup") {
                for line in roll.split(separator: "\n") where line.hasPrefix("Pss:") {
                    m.pssKB += Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
                }
            }
        }
        return m
    }
}

/// Samples a server's memory every `interval` seconds on its own thread; keeps the peak.
final class ServerSampler: @unchecked Sendable {
    let pid: Int32
    private let lock = NIOLock()
    private var running = true
    private var peak = ProcFS.Memory()
    private var last = ProcFS.Memory()
    private var samples = 0
    private var sumKB = 0

    init(pid: Int32) { self.pid = pid }

    func start(interval: Double) {
        Thread.detachNewThread { [self] in
            while lock.withLock({ running }) {
                let m = ProcFS.memory(ProcFS.tree(pid))
                lock.withLock {
                    last = m
                    samples += 1
                    sumKB += m.kB
                    if m.kB > peak.kB { peak = m }
                }
                Thread.sleep(forTimeInterval: interval)
            }
        }
    }

    func stop() -> (peak: ProcFS.Memory, last: ProcFS.Memory, averageKB: Double) {
        lock.withLock {
            running = false
            return (peak, last, samples > 0 ? Double(sumKB) / Double(samples) : 0)
        }
    }
}

/// CPU seconds this process (the load generator) has used.
func selfCPUSeconds() -> Double {
    var u = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &u)
    return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 + Double(u.ru_stime.tv_sec)
        + Double(u.ru_stime.tv_usec) / 1e6
}
