import Foundation
import MailStore
import Synchronization

/// What `/health/ready` checks: the listeners are bound (and the server is not shutting down), the
/// store answers and takes writes, and every served certificate is valid for more than the
/// configured number of days.
public final class Readiness: Sendable {
    /// One check's result, as the JSON body reports it.
    public struct Check: Sendable, Equatable, Codable {
        public var name: String
        public var ok: Bool
        public var detail: String
    }

    private let listening = Atomic<Bool>(false)
    private let store: any WritabilityProbe
    private let tls: TLSContextHolder
    private let certificateDays: Int
    /// How long the store probe may take before the store counts as unreachable.
    static let storeProbeTimeout: Duration = .seconds(5)

    public init(store: any WritabilityProbe, tls: TLSContextHolder, certificateDays: Int) {
        self.store = store
        self.tls = tls
        self.certificateDays = certificateDays
    }

    /// Every listener is bound.
    public func markListening() { listening.store(true, ordering: .releasing) }
    /// Shutting down: no longer ready.
    public func markStopping() { listening.store(false, ordering: .releasing) }

    public func check(now: Date = Date()) async -> [Check] {
        let bound = listening.load(ordering: .acquiring)
        var checks = [Check(name: "listeners", ok: bound, detail: bound ? "bound" : "not bound or shutting down")]
        checks.append(await storeCheck())
        checks.append(Self.certificateCheck(tls.current, minimumDays: certificateDays, now: now))
        return checks
    }

    private func storeCheck() async -> Check {
        let store = self.store
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await store.probeWritable() }
                group.addTask {
                    try await Task.sleep(for: Self.storeProbeTimeout)
                    throw ProbeTimeout()
                }
                try await group.next()
                group.cancelAll()
            }
            return Check(name: "store", ok: true, detail: "reachable and writable")
        } catch is ProbeTimeout {
            return Check(name: "store", ok: false, detail: "no answer within \(Self.storeProbeTimeout)")
        } catch {
            return Check(name: "store", ok: false, detail: "\(error)")
        }
    }

    private struct ProbeTimeout: Error {}

    /// Whole days from `now` until `date` (negative once past).
    public static func daysLeft(until date: Date, now: Date) -> Double {
        date.timeIntervalSince(now) / 86_400
    }

    static func certificateCheck(_ material: TLSMaterial, minimumDays: Int, now: Date) -> Check {
        let soonest = material.served.map(\.notValidAfter).min() ?? now
        let days = daysLeft(until: soonest, now: now)
        let shown = Int(days.rounded(.down))
        if days > Double(minimumDays) {
            return Check(name: "certificate", ok: true, detail: "valid for \(shown) more days")
        }
        return Check(
            name: "certificate", ok: false,
            detail: days < 0
                ? "a served certificate has expired"
                : "a served certificate expires in \(shown) days (minimum \(minimumDays))")
    }
}
