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
                caps.append("AUTH=PLAIN")
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
        bye("Logging out")
        tagged(tag, .ok, text: "LOGOUT completed")
        state = .loggedOut
        return .close
    }

    /// RFC 2971 §3.1: the client's parameters are only logged (never message content or passwords).
    func id(_ tag: String, _ parameters: [IDParameter]?) async -> ResumeDirective {
        if let parameters {
            let summary = parameters.prefix(8).map { "\($0.key)=\($0.value ?? "NIL")" }.joined(separator: ", ")
            logger.debug("client ID: \(summary.prefix(256))")
        }
        send(.id([IDParameter(key: "name", value: "Postern")]))
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
        guard configuration.startTLSAvailable else {
            tagged(tag, .no, code: .cannot, text: "STARTTLS is not available here")
            return .next
        }
        // Written by the connection in clear, in the same event-loop turn that starts the handshake.
        let response = ResponseEncoder().encode(
            .tagged(TaggedResponse(tag: tag, status: .ok, text: "Begin TLS negotiation now")))
        tlsActive = true
        return .startTLS(response)
    }

    /// RFC 9051 §6.2.3 (LOGIN). Refused before TLS (LOGINDISABLED, RFC 9051 §6.2.3, RFC 8314).
    func login(_ tag: String, user: String, password: String) async -> ResumeDirective {
        if account != nil {
            tagged(tag, .bad, text: "Already logged in")
            return .next
        }
        guard tlsActive else {
            tagged(tag, .no, code: .privacyRequired, text: "Use STARTTLS or the IMAPS port before logging in")
            return .next
        }
        return await completeLogin(tag, user: user, password: password, mechanism: "LOGIN")
    }

    /// RFC 9051 §6.2.2 (AUTHENTICATE) with SASL-IR (RFC 4959) and PLAIN (RFC 4616).
    func authenticate(_ tag: String, mechanism: String, initialResponse: String?) async -> ResumeDirective {
        if account != nil {
            tagged(tag, .bad, text: "Already logged in")
            return .next
        }
        guard tlsActive else {
            tagged(tag, .no, code: .privacyRequired, text: "Use STARTTLS or the IMAPS port before logging in")
            return .next
        }
        guard mechanism.uppercased() == "PLAIN" else {
            tagged(tag, .no, code: .cannot, text: "Unsupported authentication mechanism")
            return .next
        }
        guard let initialResponse else {
            send(.continuation(.text("")))
            pendingAuthentication = tag
            return .rawLine
        }
        return await finishPlain(tag, base64: initialResponse)
    }

    /// The client's response line to an AUTHENTICATE challenge; `*` cancels (RFC 9051 §6.2.2).
    func authenticateResponse(_ line: ByteBuffer) async -> ResumeDirective {
        guard let tag = pendingAuthentication else { return .next }
        pendingAuthentication = nil
        let text = String(decoding: line.readableBytesView, as: UTF8.self)
            .trimmingCharacters(in: CharacterSet(charactersIn: "\r\n"))
        if text == "*" {
            tagged(tag, .bad, text: "AUTHENTICATE cancelled")
            return .next
        }
        return await finishPlain(tag, base64: text)
    }

    private func finishPlain(_ tag: String, base64: String) async -> ResumeDirective {
        guard let data = Data(base64Encoded: base64) else {
            tagged(tag, .bad, text: "Invalid base64 in AUTHENTICATE response")
            return .next
        }
        // message = [authzid] UTF8NUL authcid UTF8NUL passwd (RFC 4616 §2)
        let parts = data.split(separator: 0, omittingEmptySubsequences: false)
        guard parts.count == 3, let authcid = String(data: parts[1], encoding: .utf8),
            let password = String(data: parts[2], encoding: .utf8),
            let authzid = String(data: parts[0], encoding: .utf8)
        else {
            tagged(tag, .bad, text: "Malformed PLAIN response")
            return .next
        }
        if !authzid.isEmpty && authzid.lowercased() != authcid.lowercased() {
            tagged(tag, .no, code: .authorizationFailed, text: "Acting as another user is not allowed")
            return .next
        }
        return await completeLogin(tag, user: authcid, password: password, mechanism: "PLAIN")
    }

    /// LOGIN and AUTHENTICATE once the credentials are read: the throttle first (it may make the
    /// attempt wait, refuse it unchecked, or drop the connection), then the password check.
    private func completeLogin(
        _ tag: String, user: String, password: String, mechanism: String
    ) async -> ResumeDirective {
        if let throttle = configuration.throttle {
            switch throttle.admit(address: configuration.clientAddress, account: user) {
            case .proceed(let wait):
                if wait > .zero { try? await Task.sleep(for: wait) }
            case .refuse(let wait):
                try? await Task.sleep(for: wait)
                logAuthentication("refused", user: user, mechanism: mechanism, reason: "address locked out")
                tagged(tag, .no, code: .unavailable, text: "Too many failed logins from your address, try again later")
                return .next
            case .drop:
                logAuthentication("dropped", user: user, mechanism: mechanism, reason: "too many attempts waiting")
                return .close
            }
        }
        let accountID = await configuration.authenticator.authenticate(name: user, password: password)
        guard let accountID else {
            failedLogins += 1
            let counts = configuration.throttle?.recordFailure(address: configuration.clientAddress, account: user)
            logAuthentication(
                "failed", user: user, mechanism: mechanism, reason: "invalid credentials",
                failures: counts.map { "\($0.address)/\($0.account)" })
            try? await Task.sleep(for: configuration.failedLoginDelay)
            tagged(tag, .no, code: .authenticationFailed, text: "Authentication failed")
            if failedLogins >= Self.maxFailedLogins {
                bye("Too many failed logins")
                return .close
            }
            return .next
        }
        configuration.throttle?.recordSuccess(account: user)
        state.logIn(SessionState.LoggedIn(account: accountID, name: user))
        watchAccount(accountID)
        logger[metadataKey: "user"] = "\(user)"
        logger.info("logged in")
        connection.setIdleTimeout(seconds: configuration.authenticatedIdleTimeout)
        tagged(tag, .ok, code: .capability(capabilities), text: "Logged in")
        return .next
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
        state = .notAuthenticated
        extensions.reset()
        failedLogins = 0
        badCommandsBeforeLogin = 0
        logger[metadataKey: "user"] = nil
        connection.setIdleTimeout(seconds: configuration.preAuthIdleTimeout)
        tagged(tag, .ok, text: "Not authenticated any more")
        return .next
    }
}

extension IMAPSession {
    /// One line per refused login, for fail2ban or a SIEM: `authentication OUTCOME` with the client's
    /// address, the account name as given (at most 64 characters, control characters replaced), the
    /// mechanism, the reason and, when throttled, the failures so far (address/account). Never the
    /// password.
    func logAuthentication(
        _ outcome: String, user: String, mechanism: String, reason: String, failures: String? = nil
    ) {
        var metadata: Logger.Metadata = [
            "address": "\(configuration.clientAddress?.description ?? "-")",
            "account": "\(Self.loggable(user))",
            "mechanism": "\(mechanism)", "reason": "\(reason)",
        ]
        if let failures { metadata["failures"] = "\(failures)" }
        logger.notice("authentication \(outcome)", metadata: metadata)
    }

    /// At most 64 characters, control characters as `?`: a name chosen by an attacker cannot forge
    /// log lines.
    static func loggable(_ name: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in name.unicodeScalars.prefix(64) {
            scalars.append(scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) ? "?" : scalar)
        }
        return String(scalars)
    }
}
