import Foundation

/// Latencies (ns) and errors per operation name, kept by one client; merged at the end.
struct Recorder: Sendable {
    var latencies: [String: [UInt64]] = [:]
    var errors: [String: Int] = [:]
    var errorSamples: [String] = []
    var bytes = 0

    mutating func record(_ name: String, _ ns: UInt64) {
        latencies[name, default: []].append(ns)
    }

    mutating func error(_ name: String, _ error: Error) {
        errors[name, default: 0] += 1
        if errorSamples.count < 5 { errorSamples.append("\(name): \(error)") }
    }

    mutating func merge(_ other: Recorder) {
        for (k, v) in other.latencies { latencies[k, default: []].append(contentsOf: v) }
        for (k, v) in other.errors { errors[k, default: 0] += v }
        for s in other.errorSamples where errorSamples.count < 10 { errorSamples.append(s) }
        bytes += other.bytes
    }

    /// Times `body` and records it under `name` (or its error, which is rethrown).
    mutating func time<T>(_ name: String, _ body: () async throws -> T) async throws -> T {
        let t0 = nanotime()
        do {
            let v = try await body()
            record(name, nanotime() &- t0)
            return v
        } catch {
            self.error(name, error)
            throw error
        }
    }
}

struct OpSummary: Codable, Sendable {
    var name: String
    var count: Int
    var perSecond: Double
    var p50ms: Double
    var p90ms: Double
    var p99ms: Double
    var maxms: Double
    var errors: Int
}

func summarize(_ rec: Recorder, seconds: Double, order: [String]) -> [OpSummary] {
    var names = order.filter { rec.latencies[$0] != nil || rec.errors[$0] != nil }
    for k in rec.latencies.keys.sorted() where !names.contains(k) { names.append(k) }
    for k in rec.errors.keys.sorted() where !names.contains(k) { names.append(k) }
    return names.map { name in
        let v = (rec.latencies[name] ?? []).sorted()
        func pct(_ p: Double) -> Double {
            guard !v.isEmpty else { return .nan }
            let i = min(v.count - 1, Int((p * Double(v.count)).rounded(.up)) - 1)
            return Double(v[max(i, 0)]) / 1e6
        }
        return OpSummary(name: name, count: v.count, perSecond: seconds > 0 ? Double(v.count) / seconds : 0,
                         p50ms: pct(0.50), p90ms: pct(0.90), p99ms: pct(0.99),
                         maxms: v.last.map { Double($0) / 1e6 } ?? .nan, errors: rec.errors[name] ?? 0)
    }
}
