import Foundation
import MIME
import MailStore
import Sieve

extension SieveFilter {
    /// A script's result as the deliverer's decision: stores become filings (the implicit keep goes to
    /// the address's folder, `user+detail`, when there is one), vacation replies that the policy allows
    /// become replies keyed by handle and sender, duplicate ids are recorded on success.
    func decision(
        from result: SieveResult, message: SieveMessage, envelope: SieveEnvelope, input: FilterInput
    ) -> FilterDecision {
        var decision = FilterDecision()
        for action in result.actions {
            switch action {
            case .store(let mailbox, let flags, let create, _, _):
                decision.filings.append(.init(mailbox: mailbox, flags: MessageFlags(names: flags), create: create))
            case .redirect(let address, _):
                decision.redirects.append(address)
            case .reject(let reason, _):
                decision.reject = reason
            case .discard:
                break
            case .vacation(let vacation):
                let environment = SieveEnvironment()
                switch SieveVacationPolicy.decide(
                    vacation, message: message, envelope: envelope, environment: environment)
                {
                case .send:
                    decision.vacation = reply(vacation, message: message, input: input)
                case .suppress(let why):
                    logger.info(
                        "sieve: no vacation reply", metadata: ["account": "\(input.accountName)", "why": "\(why)"])
                }
            case .trackDuplicate(let id, _, let seconds):
                decision.duplicateKeys.append((id, Int(min(seconds, UInt64(Int32.max)))))
            }
        }
        if let keep = result.implicitKeep {
            decision.filings.append(.init(mailbox: input.folder ?? "INBOX", flags: MessageFlags(names: keep.flags)))
        }
        return decision
    }

    private func reply(_ vacation: SieveVacation, message: SieveMessage, input: FilterInput) -> FilterDecision.Vacation
    {
        let header = { (name: String) -> String? in
            message.mime.rawHeaderValues(name).first.map {
                String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespaces)
            }
        }
        let subject = message.mime.rawHeaderValues("subject").first.map { EncodedWords.decode($0) }
        let reply = VacationReply(
            from: vacation.from ?? Self.bare(input.recipient), to: vacation.recipient, subject: vacation.subject,
            originalSubject: subject, originalMessageID: header("message-id"), originalReferences: header("references"),
            reason: vacation.reason, mime: vacation.mime)
        let key = "\(vacation.handle)\u{0}\(Self.bare(vacation.recipient).lowercased())"
        return .init(reply: reply, trackingKey: key, seconds: Int(min(vacation.seconds, UInt64(Int32.max))))
    }

    static func bare(_ address: String) -> String {
        address.trimmingCharacters(in: CharacterSet(charactersIn: "<> \t"))
    }

}
