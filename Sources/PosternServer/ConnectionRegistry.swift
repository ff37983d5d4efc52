import Logging
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle

/// The open connections of a server whose connections are tasks over an `NIOAsyncChannel` (LMTP,
/// ManageSieve): none is taken once shutdown began; at shutdown each one is closed as soon as it waits
/// for its client (after a farewell line), and any still open after the grace period is closed anyway.
final class ConnectionRegistry: Sendable {
    /// Lets the server end one connection at shutdown: at once while it waits for its client, else once
    /// it does.
    final class Handle: Sendable {
        private let channel: any Channel
        /// What the protocol says to a client it drops at shutdown.
        private let farewell: [UInt8]
        private let state = NIOLockedValueBox((idle: true, closeRequested: false))

        init(channel: any Channel, farewell: [UInt8]) {
            self.channel = channel
            self.farewell = farewell
        }

        /// Records whether the connection waits for its client; true when shutdown asked it to close.
        func setIdle(_ idle: Bool) -> Bool {
            state.withLockedValue { state in
                state.idle = idle
                return state.closeRequested
            }
        }

        func closeWhenIdle() {
            let now = state.withLockedValue { state -> Bool in
                state.closeRequested = true
                return state.idle
            }
            guard now else { return }
            let channel = self.channel
            channel.writeAndFlush(channel.allocator.buffer(bytes: farewell)).whenComplete { _ in
                channel.close(promise: nil)
            }
        }

        func close() {
            channel.close(promise: nil)
        }
    }

    private let state = NIOLockedValueBox((connections: [ObjectIdentifier: Handle](), shuttingDown: false))

    /// Takes a connection; false once shutdown began (the caller closes it).
    func admit(_ channel: any Channel, _ handle: Handle) -> Bool {
        state.withLockedValue { state in
            guard !state.shuttingDown else { return false }
            state.connections[ObjectIdentifier(channel)] = handle
            return true
        }
    }

    func remove(_ channel: any Channel) {
        _ = state.withLockedValue { $0.connections.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// Refuses new connections, closes the idle ones now and the others after `grace`.
    func shutDown(grace: Duration) {
        let handles = state.withLockedValue { state -> [Handle] in
            state.shuttingDown = true
            return Array(state.connections.values)
        }
        for handle in handles { handle.closeWhenIdle() }
        guard !handles.isEmpty else { return }
        Task {
            try? await Task.sleep(for: grace)
            for handle in handles { handle.close() }
        }
    }

    /// Accepts connections on `listener` until it closes, serving each in a task of its own.
    static func acceptAll<Accepted: Sendable>(
        on listener: NIOAsyncChannel<Accepted, Never>, logger: Logger,
        serve: @escaping @Sendable (Accepted) async -> Void
    ) async {
        await withDiscardingTaskGroup { group in
            do {
                try await listener.executeThenClose { inbound in
                    for try await connection in inbound {
                        group.addTask { await serve(connection) }
                    }
                }
            } catch {
                logger.debug("listener ended", metadata: ["error": "\(error)"])
            }
        }
    }

    /// A service's `run()`: accepts on every listener until graceful shutdown, when `shutdown` stops
    /// them. With no listener (the protocol is off) it waits for the shutdown instead: a service that
    /// ended at once would end the whole group.
    static func serve<Listener: Sendable>(
        _ listeners: [Listener], accept: @escaping @Sendable (Listener) async -> Void,
        shutdown: @escaping @Sendable () -> Void
    ) async {
        guard !listeners.isEmpty else {
            try? await gracefulShutdown()
            return
        }
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for listener in listeners {
                    group.addTask { await accept(listener) }
                }
            }
        } onGracefulShutdown: {
            shutdown()
        }
    }
}
