import CoreMetrics
import Prometheus
import Telemetry

/// Where the metrics go: a Prometheus registry behind swift-metrics, when the admin listener is on.
public enum AdminMetrics {
    /// Bootstraps swift-metrics once for the process (before any metric handle is made) and returns
    /// the registry `/metrics` serves.
    public static func bootstrap() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.valueHistogramBuckets[Telemetry.Name.storeCommitBatchSize] = [1, 2, 4, 8, 16, 32, 64, 128, 256]
        MetricsSystem.bootstrap(factory)
        return registry
    }
}

/// The admin listener's port once it is bound, for the `listening:` line: one value, or nil when the
/// listener failed.
public final class AdminPort: Sendable {
    private let stream: AsyncStream<Int?>
    private let continuation: AsyncStream<Int?>.Continuation

    public init() {
        (stream, continuation) = AsyncStream.makeStream(of: Int?.self, bufferingPolicy: .bufferingNewest(1))
    }

    public func bound(_ port: Int?) {
        continuation.yield(port)
        continuation.finish()
    }

    /// Waits for the port (nil: the listener failed, or the wait was cancelled).
    public func wait() async -> Int? {
        for await port in stream { return port }
        return nil
    }
}
