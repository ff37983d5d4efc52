import IMAPWire
import MailStore
import NIOCore
import Telemetry

/// A running IDLE: the tag to answer and the watch that forwards the mailbox's changes into the
/// session's inputs.
struct IdleState {
    var tag: String
    var watch: WatchToken?
}

/// IDLE (RFC 9051 §6.3.13, RFC 2177): changes committed by other sessions are pushed as they happen,
/// and a keepalive line goes out every `idleKeepaliveInterval` so NAT gateways keep the connection.
extension IMAPSession {
    func startIdle(_ tag: String) async -> ResumeDirective {
        var idling = IdleState(tag: tag)
        if let wakeups, let view = selected {
            idling.watch = store.changeHub.watch(mailbox: view.id) { wakeups.yield(.mailboxChanged) }
        }
        connection.setKeepalive(configuration.idleKeepaliveInterval)
        idle = idling
        Telemetry.idleStarted()
        // Watched first, then what is already pending: a change committed in between is both
        // reported here and woken up for (a harmless second look), never lost.
        await reportUpdates(allowExpunge: true)
        send(.continuation(.text("idling")))
        return .rawLine
    }

    /// The line that ends IDLE: DONE (case-insensitive). Commands pipelined after it run normally.
    func idleDone(_ line: ByteBuffer) -> ResumeDirective {
        guard let idling = idle else { return .next }
        stopIdling()
        let text = String(decoding: line.readableBytesView, as: UTF8.self).trimmingCharacters(in: .whitespaces)
        if text.uppercased() == "DONE" {
            tagged(idling.tag, .ok, text: "IDLE terminated")
        } else {
            tagged(idling.tag, .bad, text: "Expected DONE")
        }
        return .next
    }

    func stopIdling() {
        guard let idling = idle else { return }
        idle = nil
        Telemetry.idleEnded()
        idling.watch?.cancel()
        connection.setKeepalive(nil)
    }
}
