import IMAPWire
import MailStore
import NIOCore

/// A running IDLE: the tag to answer and the tasks forwarding wake-ups into the session's inputs.
struct IdleState {
    var tag: String
    var forwarders: [Task<Void, Never>]
    var subscription: ChangeSubscription?
}

/// IDLE (RFC 9051 §6.3.13, RFC 2177): changes committed by other sessions are pushed as they happen,
/// and a keepalive line goes out every `idleKeepaliveInterval` so NAT gateways keep the connection.
extension IMAPSession {
    func startIdle(_ tag: String) async -> ResumeDirective {
        var idling = IdleState(tag: tag, forwarders: [], subscription: nil)
        if let wakeups {
            if let view = selected {
                let subscription = store.changeHub.subscribe(mailbox: view.id)
                idling.subscription = subscription
                idling.forwarders.append(
                    Task {
                        for await _ in subscription.stream { wakeups.yield(.mailboxChanged) }
                    })
            }
            let interval = configuration.idleKeepaliveInterval
            idling.forwarders.append(
                Task {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: interval)
                        if Task.isCancelled { break }
                        wakeups.yield(.keepalive)
                    }
                })
        }
        idle = idling
        // Subscribed first, then what is already pending: a change committed in between is both
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
        idling.subscription?.cancel()
        for task in idling.forwarders { task.cancel() }
    }
}
