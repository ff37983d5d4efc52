import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import Telemetry

/// Samples what no request reports by itself, once per `interval`: each event loop's lag (the time a
/// task waits before it runs: a loop blocked by slow work shows here) and the days left on every
/// served certificate. Runs only with the admin listener.
public struct OperationsSampler: Service {
    public static let interval: Duration = .seconds(5)

    let group: any EventLoopGroup
    let tls: TLSContextHolder

    public init(group: any EventLoopGroup, tls: TLSContextHolder) {
        self.group = group
        self.tls = tls
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            sampleCertificates()
            await sampleLag()
            try? await Task.sleep(for: Self.interval)
        }
    }

    /// One task on every loop: how long after being queued it ran.
    func sampleLag() async {
        for loop in group.makeIterator() {
            let queued = NIODeadline.now()
            let ran = try? await loop.submit { NIODeadline.now() }.get()
            if let ran {
                Telemetry.eventLoopLag(nanoseconds: (ran - queued).nanoseconds)
            }
        }
    }

    func sampleCertificates() {
        let now = Date()
        for served in tls.current.served {
            let key: Telemetry.CertificateKey =
                switch served.kind {
                case .ecdsa: .ecdsa
                case .rsa: .rsa
                default: .other
                }
            Telemetry.certificateDaysLeft(Readiness.daysLeft(until: served.notValidAfter, now: now), key: key)
        }
    }
}
