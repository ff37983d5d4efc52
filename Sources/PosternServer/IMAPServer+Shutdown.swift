import IMAPSession
import NIOCore
import ServiceLifecycle

/// Running as a `Service`, and stopping.
///
/// A stop first closes the listeners, then tells every session (`SessionInput.shutdown`): one
/// between commands or idling says BYE (RFC 9051 §7.1.5) and closes at once; one running a command
/// answers it first. Connections still open after `shutdownGracePeriod` are closed without more
/// ado. It returns once every session task has ended, so that the store can be closed after it.
extension IMAPServer {
    /// Binds (unless `start()` did), calls `onListening`, and serves until graceful shutdown or task
    /// cancellation; then stops. Under cancellation the grace period is skipped: connections are
    /// closed at once.
    public func run() async throws {
        let bound = try await start()
        do {
            try await onListening?(bound)
        } catch {
            await shutdown()
            throw error
        }
        await withTaskCancellationOrGracefulShutdownHandler {
            await waitForStopRequest()
        } onCancelOrGracefulShutdown: {
            self.requestStop()
        }
        await shutdown()
    }

    /// Stops accepting, lets each session finish its command and say BYE, closes what is still
    /// open after the grace period (at once if the calling task is cancelled), and returns once
    /// every session task has ended. Calling it again (or concurrently) waits for the same end.
    public func shutdown() async {
        requestStop()
        let (listeners, connections) = state.withLockedValue { state -> ([any Channel], [Connection]) in
            state.shuttingDown = true
            let listeners = state.listeners
            state.listeners = []
            return (listeners, Array(state.connections.values))
        }
        if !listeners.isEmpty {
            logger.info("shutting down", metadata: ["connections": "\(connections.count)"])
        }
        for listener in listeners { try? await listener.close() }
        for connection in connections { connection.inputs.yield(.shutdown) }
        if !(await Self.allClosed(connections.map(\.channel), within: shutdownGracePeriod)) {
            let open = connections.filter { $0.channel.isActive }
            logger.notice(
                "closing connections whose command did not end in time",
                metadata: ["connections": "\(open.count)", "gracePeriod": "\(shutdownGracePeriod)"])
            for connection in open { connection.channel.close(promise: nil) }
            for connection in open { try? await connection.channel.closeFuture.get() }
        }
        await waitForSessionTasks()
    }

    /// True once every channel has closed, false if `period` ran out first (or the task is cancelled).
    private static func allClosed(_ channels: [any Channel], within period: Duration) async -> Bool {
        guard !channels.isEmpty else { return true }
        let (outcomes, continuation) = AsyncStream.makeStream(of: Bool.self)
        let timer = Task {
            try? await Task.sleep(for: period)
            continuation.yield(false)
        }
        defer { timer.cancel() }
        let closed = channels.map { $0.closeFuture }
        let eventLoop = channels[0].eventLoop
        EventLoopFuture.andAllComplete(closed, on: eventLoop).whenComplete { _ in continuation.yield(true) }
        return await withTaskCancellationHandler {
            var iterator = outcomes.makeAsyncIterator()
            return await iterator.next() ?? false
        } onCancel: {
            continuation.yield(false)
        }
    }

    func requestStop() {
        let waiter = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            defer { state.stop = .requested }
            if case .waiting(let continuation) = state.stop { return continuation }
            return nil
        }
        waiter?.resume()
    }

    private func waitForStopRequest() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLockedValue { state -> Bool in
                if case .requested = state.stop { return true }
                state.stop = .waiting(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    func sessionEnded() {
        let waiters = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            state.sessionTasks -= 1
            guard state.sessionTasks == 0 else { return [] }
            defer { state.sessionWaiters = [] }
            return state.sessionWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    private func waitForSessionTasks() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLockedValue { state -> Bool in
                if state.sessionTasks == 0 { return true }
                state.sessionWaiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }
}
