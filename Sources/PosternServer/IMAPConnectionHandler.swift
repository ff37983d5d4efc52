import IMAPSession
import IMAPWire
import Logging
import NIOCore
import NIOSSL
import NIOTLS

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Frames a connection's bytes into `FramerEvent`s and hands them, one at a time, to the session.
///
/// Lives on the channel's event loop. Reading from the socket is held while the framer already buffers
/// more than `readHighWater` bytes that the session has not asked for yet, so a client that pipelines
/// a lot (or streams a large APPEND faster than the disk takes it) is slowed down instead of growing
/// memory.
///
/// STARTTLS: cleartext that arrived after the STARTTLS command stays in the framer while the session
/// answers; on `.startTLS` it is dropped and `NIOSSLServerHandler` is added in the same event-loop turn,
/// so no cleartext byte sent before the handshake is ever executed (the CVE-2011-0411 class). The TLS
/// handlers there are what `startTLS` makes (`CertificateSelector.startHandlers`: a selector that puts the TLS
/// handler in, or the TLS handler itself when there is one certificate).
final class IMAPConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let readHighWater = 256 * 1024

    private var framer: CommandFramer
    private let events: AsyncStream<SessionInput>.Continuation
    private let startTLS: (() -> [any ChannelHandler])?
    /// Completed once the TLS handshake in front of this handler is done, or the connection ends first:
    /// on IMAPS the session greets only then, so that the greeting's capabilities know the handshake's
    /// outcome (`TLSPeer`).
    private var handshakeDone: EventLoopPromise<Void>?
    private let logger: Logger
    /// True while the session has an event and has not resumed us yet.
    private var sessionBusy = true
    private var readHeld = false
    private var closing = false

    private var idleTimeout: TimeAmount
    /// When the last complete command (or piece of an APPEND message) arrived, or the session last
    /// finished answering: bytes that do not complete a command do not count, so a client that
    /// sends a line a byte at a time is closed at the idle timeout like a silent one.
    private var lastActivity = NIODeadline.now()
    private var idleCheck: Scheduled<Void>?
    /// Delivers `SessionInput.keepalive` while the session asks for it (IDLE).
    private var keepalive: RepeatedTask?

    /// A TLS handshake is under way in front of this handler (IMAPS, or after STARTTLS): a close now
    /// would drop what the session wrote (a `* BYE` refusing the connection), so it waits for the
    /// handshake, at most `handshakeCloseWait`.
    private var handshakePending: Bool
    private var closeAfterHandshake = false
    static let handshakeCloseWait = TimeAmount.seconds(10)

    init(
        limits: IMAPLimits, events: AsyncStream<SessionInput>.Continuation, startTLS: (() -> [any ChannelHandler])?,
        idleTimeout: TimeAmount, handshakePending: Bool = false, handshakeDone: EventLoopPromise<Void>? = nil,
        logger: Logger
    ) {
        self.handshakePending = handshakePending
        self.handshakeDone = handshakeDone
        self.framer = CommandFramer(limits: limits)
        self.events = events
        self.startTLS = startTLS
        self.idleTimeout = idleTimeout
        self.logger = logger
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tls = event as? TLSUserEvent, case .handshakeCompleted = tls {
            handshakePending = false
            completeHandshakeWait()
            if closeAfterHandshake {
                // After this event the TLS layer writes out what it held back: close after that.
                let channel = context.channel
                context.eventLoop.execute { channel.close(promise: nil) }
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        lastActivity = context.eventLoop.now
        scheduleIdleCheck(context: context, after: idleTimeout)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        idleCheck?.cancel()
        keepalive?.cancel()
        events.finish()
        completeHandshakeWait()
    }

    func channelInactive(context: ChannelHandlerContext) {
        idleCheck?.cancel()
        keepalive?.cancel()
        events.finish()
        completeHandshakeWait()
        context.fireChannelInactive()
    }

    private func completeHandshakeWait() {
        handshakeDone?.succeed(())
        handshakeDone = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        framer.append(unwrapInboundIn(data))
        if !sessionBusy { pump(context: context) }
    }

    func read(context: ChannelHandlerContext) {
        if framer.bufferedByteCount >= Self.readHighWater {
            readHeld = true
        } else {
            context.read()
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if let sslError = error as? NIOSSLError, case .uncleanShutdown = sslError {
            logger.debug("client closed without close_notify")
        } else {
            logger.debug("connection error: \(error)")
        }
        context.close(promise: nil)
    }

    /// Carries out what the session decided (called on the event loop).
    func resume(_ directive: ResumeDirective, context: ChannelHandlerContext) {
        switch directive {
        case .next:
            break
        case .rawLine:
            framer.expectRawLine()
        case .acceptAppendMessage:
            framer.acceptAppendMessage()
        case .rejectAppendMessage:
            framer.rejectAppendMessage()
        case .startTLS(let response):
            framer.discardBuffered()
            guard let startTLS else {
                context.close(promise: nil)
                return
            }
            context.writeAndFlush(wrapOutboundOut(response), promise: nil)
            let tls = startTLS()
            do {
                try context.pipeline.syncOperations.addHandlers(tls, position: .first)
                handshakePending = true
            } catch {
                logger.warning("could not start TLS: \(error)")
                context.close(promise: nil)
                return
            }
        case .startCompression(let response):
            guard startCompression(response, context: context) else { return }
        case .close:
            closing = true
            guard handshakePending else {
                context.close(promise: nil)
                return
            }
            closeAfterHandshake = true
            let channel = context.channel
            context.eventLoop.scheduleTask(in: Self.handshakeCloseWait) { channel.close(promise: nil) }
            return
        }
        sessionBusy = false
        lastActivity = context.eventLoop.now
        pump(context: context)
    }

    /// COMPRESS (RFC 4978 §3): the tagged OK goes out uncompressed, then the deflate handlers go in
    /// between this handler and the transport (beneath the session, above TLS: RFC 4978 §6), in the same
    /// event-loop turn. What the client sent after the command is compressed already: it goes through
    /// the new inflater before the session sees it.
    private func startCompression(_ response: ByteBuffer, context: ChannelHandlerContext) -> Bool {
        let pipelined = framer.takeBuffered()
        context.writeAndFlush(wrapOutboundOut(response), promise: nil)
        do {
            let inflate = try InflateHandler()
            let sync = context.pipeline.syncOperations
            try sync.addHandlers([inflate, DeflateHandler()], position: .before(self))
            if pipelined.readableBytes > 0 {
                inflate.channelRead(context: try sync.context(handler: inflate), data: NIOAny(pipelined))
            }
        } catch {
            logger.warning("could not start compression: \(error)")
            closing = true
            context.close(promise: nil)
            return false
        }
        return true
    }

    func setIdleTimeout(_ timeout: TimeAmount) {
        idleTimeout = timeout
    }

    func setKeepalive(_ interval: TimeAmount?, eventLoop: any EventLoop) {
        keepalive?.cancel()
        keepalive = nil
        guard let interval, !closing else { return }
        let events = self.events
        keepalive = eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            events.yield(.keepalive)
        }
    }

    private func pump(context: ChannelHandlerContext) {
        if let event = framer.next() {
            lastActivity = context.eventLoop.now
            sessionBusy = true
            events.yield(.framer(event))
        }
        if readHeld && framer.bufferedByteCount < Self.readHighWater {
            readHeld = false
            context.read()
        }
    }

    private func scheduleIdleCheck(context: ChannelHandlerContext, after delay: TimeAmount) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        idleCheck = context.eventLoop.scheduleTask(in: delay) {
            let (handler, context) = loopBound.value
            handler.idleCheckFired(context: context)
        }
    }

    private func idleCheckFired(context: ChannelHandlerContext) {
        let idle = context.eventLoop.now - lastActivity
        if idle >= idleTimeout && handshakePending {
            // A client that never finishes its TLS handshake can be sent nothing (a BYE would wait for
            // the handshake forever): the connection just closes.
            logger.debug("TLS handshake not finished in time")
            closing = true
            context.close(promise: nil)
            return
        }
        if idle >= idleTimeout && !sessionBusy {
            logger.debug("idle timeout")
            let bye = ResponseEncoder().encode(
                .untagged(.condition(.bye, code: nil, text: "Autologout; idle for too long")))
            closing = true
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(bye)).whenComplete { _ in channel.close(promise: nil) }
            return
        }
        let remaining = idle >= idleTimeout ? idleTimeout : idleTimeout - idle
        scheduleIdleCheck(context: context, after: remaining)
    }
}

/// The `SessionConnection` a session task uses. The task normally runs on the channel's event loop
/// (`EventLoopTaskExecutor`), so calls go straight to the channel; from anywhere else they hop.
struct ChannelSessionConnection: SessionConnection {
    let channel: Channel
    let handler: NIOLoopBound<IMAPConnectionHandler>
    let context: NIOLoopBound<ChannelHandlerContext>

    /// Small answers go out without waiting (they are ordered with `resume` on the event loop anyway);
    /// large ones, or any write while the socket is backed up, wait, so a client that does not read
    /// holds its session instead of growing the server's memory.
    func write(_ buffer: ByteBuffer) async {
        if buffer.readableBytes <= Self.unawaitedWriteLimit && channel.isWritable {
            channel.writeAndFlush(buffer, promise: nil)
        } else {
            try? await channel.writeAndFlush(buffer).get()
        }
    }

    static let unawaitedWriteLimit = 16 * 1024

    var isOpen: Bool { channel.isActive }

    /// The first piece of a large literal, then the processor to whoever waits for it on this one.
    ///
    /// A socket write wakes its reader with a hint that the writer will soon sleep, and Linux then
    /// queues a reader on the same machine (webmail, a local client, the benchmarks) on the writer's
    /// processor. After the first piece the session goes on reading and encrypting the rest of the
    /// message, so the reader waited for the writer's time slice while the other processor was idle
    /// (seen with `perf sched` during `Benchmarks/run.sh bigmailbox`). `sched_yield` lets a reader
    /// queued here run first; with none queued it returns at once. What it buys: the time to the
    /// first byte of a large message in that benchmark.
    func writeHead(_ buffer: ByteBuffer) async {
        await write(buffer)
        if channel.eventLoop.inEventLoop { sched_yield() }
    }

    func resume(_ directive: ResumeDirective) {
        let handler = self.handler
        let context = self.context
        if channel.eventLoop.inEventLoop {
            handler.value.resume(directive, context: context.value)
            return
        }
        channel.eventLoop.execute {
            handler.value.resume(directive, context: context.value)
        }
    }

    func setIdleTimeout(seconds: Int64) {
        let handler = self.handler
        channel.eventLoop.execute {
            handler.value.setIdleTimeout(.seconds(seconds))
        }
    }

    func setKeepalive(_ interval: Duration?) {
        let handler = self.handler
        let eventLoop = channel.eventLoop
        let amount = interval.map {
            TimeAmount.nanoseconds(
                Int64($0.components.seconds) * 1_000_000_000 + $0.components.attoseconds / 1_000_000_000)
        }
        eventLoop.execute {
            handler.value.setKeepalive(amount, eventLoop: eventLoop)
        }
    }
}
