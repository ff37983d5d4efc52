import CoreMetrics

/// A table of handles for every combination of two closed label sets, made once.
struct LabelledCounters<
    A: Hashable & Sendable & RawRepresentable & CaseIterable, B: Hashable & Sendable & RawRepresentable & CaseIterable
>: Sendable
where A.RawValue == String, B.RawValue == String {
    private let counters: [Key: Counter]

    private struct Key: Hashable, Sendable {
        var a: A
        var b: B
    }

    init(_ name: String, _ first: String, _ second: String) {
        var table: [Key: Counter] = [:]
        for a in A.allCases {
            for b in B.allCases {
                table[Key(a: a, b: b)] = Counter(label: name, dimensions: [(first, a.rawValue), (second, b.rawValue)])
            }
        }
        counters = table
    }

    func increment(_ a: A, _ b: B, by amount: Int64 = 1) {
        counters[Key(a: a, b: b)]?.increment(by: amount)
    }
}

extension Telemetry {
    /// The handles, made on first use (after `MetricsSystem.bootstrap`, which `postern serve` does first).
    final class Handles: Sendable {
        static let shared = Handles()

        let connections = LabelledCounters<Listener, ConnectionEvent>(Name.connections, "listener", "state")
        let connectionsOpen: [Listener: Meter] = Dictionary(
            uniqueKeysWithValues: Listener.allCases.map {
                ($0, Meter(label: Name.connectionsOpen, dimensions: [("listener", $0.rawValue)]))
            })
        let handshakes = LabelledCounters<TLSVersionLabel, HandshakeResult>(Name.tlsHandshakes, "version", "result")
        let throttled: [ThrottleDecision: Counter] = Dictionary(
            uniqueKeysWithValues: ThrottleDecision.allCases.map {
                ($0, Counter(label: Name.throttled, dimensions: [("decision", $0.rawValue)]))
            })
        let idleSessions = Meter(label: Name.idleSessions)
        let deliveries: [DeliveryResult: Counter] = Dictionary(
            uniqueKeysWithValues: DeliveryResult.allCases.map {
                ($0, Counter(label: Name.lmtpDeliveries, dimensions: [("result", $0.rawValue)]))
            })
        let commitDuration = CoreMetrics.Timer(label: Name.storeCommitDuration)
        let commitBatchSize = Recorder(label: Name.storeCommitBatchSize, aggregate: true)
        let messageBytes = Counter(label: Name.messageBytesStored)
        let eventLoopLag = CoreMetrics.Timer(label: Name.eventLoopLag)
        let authAttempts: [String: [AuthResult: Counter]] = Dictionary(
            uniqueKeysWithValues: (Telemetry.mechanisms.sorted() + ["other"]).map { mechanism in
                (
                    mechanism,
                    Dictionary(
                        uniqueKeysWithValues: AuthResult.allCases.map {
                            (
                                $0,
                                Counter(
                                    label: Name.authAttempts,
                                    dimensions: [("mechanism", mechanism), ("result", $0.rawValue)])
                            )
                        })
                )
            })
        let commands = IMAPCommandMetrics()
        let certificateDays: [CertificateKey: Gauge] = Dictionary(
            uniqueKeysWithValues: CertificateKey.allCases.map {
                ($0, Gauge(label: Name.certificateDaysLeft, dimensions: [("key", $0.rawValue)]))
            })
    }

    // MARK: Recording

    public static func connection(_ listener: Listener, _ event: ConnectionEvent) {
        let handles = Handles.shared
        handles.connections.increment(listener, event)
        switch event {
        case .accepted: handles.connectionsOpen[listener]?.increment()
        case .closed: handles.connectionsOpen[listener]?.decrement()
        case .refused: break
        }
    }

    public static func handshake(_ version: TLSVersionLabel, _ result: HandshakeResult) {
        Handles.shared.handshakes.increment(version, result)
    }

    public static func authentication(mechanism: String, _ result: AuthResult) {
        let handles = Handles.shared
        (handles.authAttempts[mechanismLabel(mechanism)] ?? handles.authAttempts["other"])?[result]?.increment()
    }

    public static func throttled(_ decision: ThrottleDecision) {
        Handles.shared.throttled[decision]?.increment()
    }

    public static func idleStarted() { Handles.shared.idleSessions.increment() }
    public static func idleEnded() { Handles.shared.idleSessions.decrement() }

    public static func delivery(_ result: DeliveryResult) {
        Handles.shared.deliveries[result]?.increment()
    }

    /// One group commit: how long the transaction took and how many operations it carried.
    public static func storeCommit(nanoseconds: Int64, operations: Int) {
        let handles = Handles.shared
        handles.commitDuration.recordNanoseconds(nanoseconds)
        handles.commitBatchSize.record(operations)
    }

    public static func messageStored(bytes: Int) {
        Handles.shared.messageBytes.increment(by: Int64(bytes))
    }

    public static func eventLoopLag(nanoseconds: Int64) {
        Handles.shared.eventLoopLag.recordNanoseconds(nanoseconds)
    }

    /// Days until a served certificate expires (negative once it has).
    public static func certificateDaysLeft(_ days: Double, key: CertificateKey) {
        Handles.shared.certificateDays[key]?.record(days)
    }

    /// The IMAP command that just ended with a tagged status.
    public static func imapCommand(_ name: IMAPCommandName, _ outcome: Outcome, nanoseconds: Int64) {
        Handles.shared.commands.record(name, outcome, nanoseconds: nanoseconds)
    }
}

extension Telemetry {
    /// Makes every handle now, so that an exposition lists every family before any traffic.
    public static func prepare() {
        _ = Handles.shared
    }
}
