import Dispatch
import Foundation

/// SIGINT and SIGTERM as an async wait. Installed before the listeners bind, so a signal that comes
/// right after `ready` is never lost to the default action.
final class ShutdownSignal {
    private let sources: [any DispatchSourceSignal]
    private let signals: AsyncStream<Int32>

    init() {
        let (signals, continuation) = AsyncStream.makeStream(of: Int32.self)
        self.signals = signals
        sources = [SIGINT, SIGTERM].map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
    }

    func wait() async -> Int32 {
        var iterator = signals.makeAsyncIterator()
        let received = await iterator.next() ?? SIGTERM
        for source in sources { source.cancel() }
        return received
    }
}
