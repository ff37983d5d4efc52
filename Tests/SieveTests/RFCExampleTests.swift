import Sieve
import Testing

/// The example scripts of the RFCs (RFC 5228 §9, RFC 5229 §6, RFC 5232 §6, RFC 5230 §4, RFC 5173 §7,
/// RFC 5260 §7) compile, and run as the text around them says.
@Suite struct RFCExampleTests {
    static let rfc5228 = """
        # Example Sieve Filter
        # Declare any optional features or extension used by the script
        require ["fileinto"];

        # Handle messages from known mailing lists
        # Move messages from IETF filter discussion list to filter mailbox
        if header :is "Sender" "owner-ietf-mta-filters@imc.org"
                {
                fileinto "filter";  # move to "filter" mailbox
                }
        #
        # Keep all messages to or from people in my company
        #
        elsif address :DOMAIN :is ["From", "To"] "example.com"
                {
                keep;               # keep in "In" mailbox
                }

        #
        # Try and catch unsolicited email.  If a message is not to me,
        # or it contains a subject known to be spam, file it away.
        #
        elsif anyof (NOT address :all :contains
                       ["To", "Cc", "Bcc"] "me@example.com",
                     header :matches "subject"
                       ["*make*money*fast*", "*university*dipl*mas*"])
                {
                fileinto "spam";   # move to "spam" mailbox
                }
        else
                {
                # Move all other (non-company) mail to "personal"
                # mailbox.
                fileinto "personal";
                }
        """

    func run5228(_ headers: String) throws -> [SieveAction] {
        let message = SieveMessage(bytes: Array((headers + "\r\nbody\r\n").utf8))
        return try run(Self.rfc5228, message).actions
    }

    @Test func rfc5228FullExample() throws {
        #expect(try run5228("Sender: owner-ietf-mta-filters@imc.org\r\n") == [store("filter")])
        #expect(try run5228("From: a@example.com\r\n") == [store("INBOX")])
        #expect(
            try run5228("From: x@else.net\r\nCc: me@example.com\r\nSubject: Make money fast\r\n") == [store("spam")])
        #expect(try run5228("From: x@else.net\r\nTo: other@else.net\r\n") == [store("spam")])
        #expect(try run5228("From: x@else.net\r\nCc: me@example.com\r\n") == [store("personal")])
    }

    @Test func rfc5229Variables() throws {
        let script = """
            require ["variables", "fileinto"];
            if header :matches "List-ID" "*<*@*" {
                fileinto "INBOX.lists.${2}"; stop;
            }
            # Imagine the header
            # Subject: [acme-users] [fwd] version 1.0 is out
            if header :matches "Subject" "[*] *" {
                # ${1} is "acme-users",
                # ${2} is "[fwd] version 1.0 is out"
                fileinto "INBOX.lists.${1}"; stop;
            }
            """
        let list = testMessage("List-ID: Users <users@example.com>\r\n")
        #expect(try run(script, list).actions == [store("INBOX.lists.users")])
        let subject = SieveMessage(bytes: Array("Subject: [acme-users] [fwd] version 1.0 is out\r\n\r\n".utf8))
        #expect(try run(script, subject).actions == [store("INBOX.lists.acme-users")])
    }

    @Test func rfc5232Flags() throws {
        let script = """
            require ["imap4flags", "fileinto"];
            if header :contains "from" "boss@frobnitzm.example.edu" {
                setflag "\\\\Flagged";
                fileinto :flags "\\\\Deleted" "Boss";
            }
            if header :contains "Disposition-Notification-To" "mel@example.com" {
                addflag "$MDNRequired";
            }
            """
        let message = SieveMessage(
            bytes: Array(
                "From: boss@frobnitzm.example.edu\r\nDisposition-Notification-To: mel@example.com\r\n\r\nx\r\n".utf8))
        let result = try run(script, message)
        #expect(result.actions == [store("Boss", ["\\deleted"])])
        #expect(result.implicitKeep == nil)
        let other = try run(
            script, SieveMessage(bytes: Array("Disposition-Notification-To: mel@example.com\r\n\r\n".utf8)))
        #expect(other.implicitKeep == SieveKeep(flags: ["$MDNRequired"]))
    }

    @Test func rfc5230Vacation() throws {
        let script = """
            require ["vacation", "variables"];
            if header :matches "subject" "*" {
                vacation :subject "Automatic response to: ${1}"
                "I'm away -- send mail to foo in my absence";
            }
            """
        let result = try run(script)
        guard case .vacation(let v)? = result.actions.first else {
            Issue.record("no vacation action")
            return
        }
        #expect(v.subject == "Automatic response to: Weekly report")
        #expect(v.reason == "I'm away -- send mail to foo in my absence")
        #expect(v.seconds == 604_800)
    }

    @Test func rfc5173Body() throws {
        let script = """
            require ["body", "fileinto"];
            if body :content "text" :contains ["missile", "coordinates"] {
                fileinto "secrets";
            }
            """
        #expect(try run(script, testMessage(body: "The coordinates are 1,2.\r\n")).actions == [store("secrets")])
        #expect(try run(script).actions.isEmpty)
    }

    @Test func rfc5260Dates() throws {
        let script = """
            require ["date", "relational", "fileinto"];
            if allof(header :is "from" "boss@example.com",
                     date :value "ge" :originalzone "date" "hour" "09",
                     date :value "lt" :originalzone "date" "hour" "17")
            { fileinto "urgent"; }
            """
        let during = SieveMessage(
            bytes: Array("From: boss@example.com\r\nDate: Mon, 7 Dec 2026 10:00:00 -0500\r\n\r\n".utf8))
        let after = SieveMessage(
            bytes: Array("From: boss@example.com\r\nDate: Mon, 7 Dec 2026 18:00:00 -0500\r\n\r\n".utf8))
        #expect(try run(script, during).actions == [store("urgent")])
        #expect(try run(script, after).actions.isEmpty)
    }
}
