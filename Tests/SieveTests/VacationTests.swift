import Sieve
import Testing

/// vacation (RFC 5230, RFC 6131): the action's fields, Pigeonhole's periods and handle, and the reply policy
/// of §4.5 and §5.
@Suite struct VacationTests {
    func vacation(_ script: String, _ message: SieveMessage = testMessage()) throws -> SieveVacation? {
        for case .vacation(let v) in try run(script, message).actions { return v }
        return nil
    }

    @Test func fieldsPeriodsAndHandle() throws {
        let v = try vacation(
            "require \"vacation\"; vacation :days 3 :subject \"Away\" :from \"me@example.org\" :addresses [\"a@x\"] :mime \"r\";"
        )
        #expect(v?.seconds == 3 * 86400)
        #expect(v?.handle == "rAwayme@example.org<MIME>")
        #expect(v?.addresses == ["a@x"])
        #expect(v?.recipient == "bob+lists@example.com")
        #expect(try vacation("require \"vacation\"; vacation \"r\";")?.seconds == 7 * 86400)
        #expect(try vacation("require \"vacation\"; vacation :days 0 \"r\";")?.seconds == 86400)
        #expect(try vacation("require \"vacation-seconds\"; vacation :seconds 30 \"r\";")?.seconds == 86400)
        #expect(try vacation("require \"vacation-seconds\"; vacation :seconds 90000 \"r\";")?.seconds == 90000)
        #expect(try vacation("require \"vacation\"; vacation :handle \"h\" \"r\";")?.handle == "h")
        #expect(
            try vacation("require \"vacation\"; vacation \"r\";")?.handle == "r<default-subject><default-from><NO-MIME>"
        )
        #expect(try run("require \"vacation\"; vacation \"a\"; vacation \"b\";").runtimeError != nil)
        // vacation does not cancel the implicit keep.
        #expect(try run("require \"vacation\"; vacation \"a\";").implicitKeep == SieveKeep(flags: []))
    }

    func decide(
        _ headers: String = "", from: String = "bob@example.com", to: String = "alice@example.org",
        addresses: [String] = [], user: [String] = []
    ) throws -> SieveVacationDecision {
        let message = testMessage(headers)
        let list = addresses.map { "\"\($0)\"" }.joined(separator: ", ")
        let envelope = SieveEnvelope(from: from, to: to)
        let tag = addresses.isEmpty ? "" : ":addresses [\(list)] "
        let result = try run("require \"vacation\"; vacation \(tag)\"r\";", message, envelope: envelope)
        guard case .vacation(let v)? = result.actions.first else { throw SieveTestFailure() }
        return SieveVacationPolicy.decide(
            v, message: message, envelope: envelope, environment: SieveEnvironment(userAddresses: user))
    }

    struct SieveTestFailure: Error {}

    @Test func policy() throws {
        #expect(try decide() == .send)
        #expect(try decide(from: "") == .suppress("the envelope sender is empty"))
        #expect(
            try decide(from: "MAILER-DAEMON@example.com") == .suppress("the sender is a mailing list or mailer daemon"))
        #expect(
            try decide(from: "owner-list@example.com") == .suppress("the sender is a mailing list or mailer daemon"))
        #expect(
            try decide(from: "list-request@example.com") == .suppress("the sender is a mailing list or mailer daemon"))
        #expect(try decide(from: "alice@example.org") == .suppress("the sender is one of the user's addresses"))
        #expect(try decide("Auto-Submitted: auto-replied\r\n") == .suppress("the message is auto-submitted"))
        #expect(try decide("Auto-Submitted: no\r\n") == .send)
        #expect(try decide("List-Id: <l.example.com>\r\n") == .suppress("the message comes from a mailing list"))
        #expect(try decide("Precedence: Bulk\r\n") == .suppress("the message has Precedence: bulk"))
        #expect(try decide(to: "dave@example.org") == .suppress("none of the user's addresses is in To, Cc or Bcc"))
        #expect(try decide(to: "dave@example.org", addresses: ["carol@example.net"]) == .send)
        #expect(try decide(to: "dave@example.org", user: ["Alice@Example.org"]) == .send)
        #expect(try decide("Resent-Cc: dave@example.org\r\n", to: "dave@example.org") == .send)
    }

    @Test(arguments: [
        ("All", false), ("all", false), ("OOF", false), ("DR, All", false), ("DR,oof", false), ("  all  ", false),
        ("DR", true), ("AutoReply", true), ("None", true), ("Allow", true),
    ])
    func autoResponseSuppress(_ value: String, _ sent: Bool) throws {
        let decision = try decide("X-Auto-Response-Suppress: \(value)\r\n")
        #expect(decision == (sent ? .send : .suppress("the message has X-Auto-Response-Suppress: All or OOF")))
    }
}
