import Foundation
import IMAPWire
import Logging
import MailStore
import NIOCore

/// Commands valid in any state (RFC 9051 §6.1) and those of the not-authenticated state (§6.2).
extension IMAPSession {
    /// The capability list changes with TLS and with login (RFC 9051 §7.2.2).
    var capabilities: [String] {
        var caps = Self.advertisesRev2 ? ["IMAP4rev1", "IMAP4rev2"] : ["IMAP4rev1"]
        caps += ["LITERAL+", "SASL-IR", "ID", "ENABLE"]
        if account == nil {
            if tlsActive {
                caps += saslMechanisms.map { "AUTH=\($0)" }
            } else {
                if configuration.startTLSAvailable { caps.append("STARTTLS") }
                caps.append("LOGINDISABLED")
            }
        } else {
            caps += [
                "IDLE", "UNSELECT", "NAMESPACE", "UIDPLUS", "MOVE", "BINARY", "CHILDREN", "SPECIAL-USE",
                "CREATE-SPECIAL-USE",
                "CONDSTORE", "QRESYNC", "ESEARCH", "SEARCHRES", "LIST-EXTENDED", "LIST-STATUS", "MULTIAPPEND",
                "UNAUTHENTICATE", "STATUS=SIZE", "SAVEDATE",
                "OBJECTID", "UTF8=ACCEPT", "APPENDLIMIT=\(configuration.maxMessageSize)",
                "QUOTA", "QUOTA=RES-STORAGE", "QUOTA=RES-MESSAGE", "QUOTASET",
                "SORT", "SORT=DISPLAY", "THREAD=ORDEREDSUBJECT", "THREAD=REFERENCES", "ESORT", "PARTIAL",
                "COMPRESS=DEFLATE", "WITHIN", "REPLACE", "PREVIEW", "METADATA", "METADATA-SERVER", "UIDONLY",
            ]
        }
        return caps
    }

    /// IMAP4rev2 (RFC 9051) is offered beside IMAP4rev1; a client turns its rules on with ENABLE.
    static let advertisesRev2 = true

    /// RFC 9051 §6.1.1
    func capability(_ tag: String) -> ResumeDirective {
        send(.capability(capabilities))
        tagged(tag, .ok, text: "CAPABILITY completed")
        return .next
    }

    /// RFC 9051 §6.1.2: NOOP is the polling point for other sessions' changes.
    func noop(_ tag: String) async -> ResumeDirective {
        await reportUpdates(allowExpunge: true)
        tagged(tag, .ok, text: "NOOP completed")
        return .next
    }

    /// RFC 9051 §6.1.3
    func logout(_ tag: String) -> ResumeDirective {
        // The session's place counts no more once the client is told (a new login may follow at once).
        endAccountSession()
        bye("Logging out")
        tagged(tag, .ok, text: "LOGOUT completed")
        state = .loggedOut
        return .close
    }

    /// RFC 2971 §3.1: in any state; the client's parameters (bounded by the parser, RFC 2971 §3.3) are
    /// only logged (never message content or passwords). The answer names the server and its version.
    func id(_ tag: String, _ parameters: [IDParameter]?) async -> ResumeDirective {
        if let parameters {
            let summary = parameters.prefix(8).map { "\($0.key)=\($0.value ?? "NIL")" }.joined(separator: ", ")
            logger.debug("client ID: \(summary.prefix(256))")
        }
        send(.id(ServerIdentity.idFields))
        tagged(tag, .ok, text: "ID completed")
        return .next
    }

    /// RFC 9051 §6.2.1: the tagged OK goes out in cleartext, then the connection drops every byte it
    /// buffered and starts the handshake (see `ResumeDirective.startTLS`).
    func startTLS(_ tag: String) -> ResumeDirective {
        if tlsActive {
            tagged(tag, .bad, text: "TLS is already active")
            return .next
        }
        // TLS goes beneath compression (RFC 4978 §6), never above it: once compressing, no STARTTLS.
        if compressionActive {
            tagged(tag, .bad, text: "STARTTLS is not possible once COMPRESS is active")
            return .next
        }
        guard configuration.startTLSAvailable else {
            tagged(tag, .no, code: .cannot, text: "STARTTLS is not available here")
            return .next
        }
        // Written by the connection in clear, in the same event-loop turn that starts the handshake.
        let response = ResponseEncoder().encode(
            .tagged(TaggedResponse(tag: tag, status: .ok, text: "Begin TLS negotiation now")))
        endCommand(.ok)
        tlsActive = true
        return .startTLS(response)
    }

    /// RFC 9051 §6.2.3 (LOGIN). Refused before TLS (LOGINDISABLED, RFC 9051 §6.2.3, RFC 8314).
    func login(_ tag: String, user: String, password: String) async -> ResumeDirective {
        if refusedBeforeLogin(tag) { return .next }
        return await completeLogin(tag, user: user, password: password, mechanism: "LOGIN")
    }

    /// ENABLE (RFC 5161 §3.1, RFC 9051 §6.3.1): lists in `* ENABLED` what this command newly turned on
    /// (see `SessionExtensions.enable`).
    func enable(_ tag: String, _ names: [String]) -> ResumeDirective {
        send(.enabled(extensions.enable(names, rev2Offered: Self.advertisesRev2)))
        tagged(tag, .ok, text: "ENABLE completed")
        return .next
    }

    /// UNAUTHENTICATE (RFC 8437 §2): back to the not-authenticated state, on the same TLS connection.
    func unauthenticate(_ tag: String) -> ResumeDirective {
        stopIdling()
        unwatchAccount()
        endAccountSession()
        state = .notAuthenticated
        extensions.reset()
        recentClaims = [:]
        failedLogins = 0
        badCommandsBeforeLogin = 0
        logger[metadataKey: "user"] = nil
        connection.setIdleTimeout(seconds: configuration.preAuthIdleTimeout)
        tagged(tag, .ok, text: "Not authenticated any more")
        return .next
    }
}
