import Testing

@testable import IMAPWire

@Suite struct MailboxCommandTests {
    @Test func select() {
        #expect(command("a SELECT inbox\r\n") == .select("inbox", parameters: []))
        #expect(command("a EXAMINE \"a b\" (CONDSTORE)\r\n") == .examine("a b", parameters: [.condstore]))
        #expect(
            command("a SELECT m (QRESYNC (5 6 1:9 (1,3 20,30)))\r\n")
                == .select(
                    "m",
                    parameters: [
                        .qresync(
                            QResyncParameters(
                                uidValidity: 5, modSeq: 6, knownUIDs: .ranges([SequenceRange(1...9)]),
                                sequenceMatch: .init(
                                    knownSequenceSet: .ranges([SequenceRange(1...1), SequenceRange(3...3)]),
                                    knownUIDSet: .ranges([SequenceRange(20...20), SequenceRange(30...30)]))))
                    ]))
        expectError("a SELECT\r\n")
        expectError("a SELECT m ()\r\n")
        expectError("a SELECT m (FOO)\r\n")
        expectError("a SELECT m (QRESYNC (0 1))\r\n")
        expectError("a SELECT a b\r\n")
    }

    @Test func inbox() {
        let parsed = command("a SELECT iNbOx\r\n")
        guard case .select(let m, _)? = parsed else {
            Issue.record("not a SELECT: \(String(describing: parsed))")
            return
        }
        #expect(m.isInbox)
        #expect(!MailboxName("INBOX2").isInbox)
        #expect(MailboxName("inbox").bytes == bytes("inbox"))
    }

    /// RFC 9208 §4.1: GETQUOTA, GETQUOTAROOT and SETQUOTA.
    @Test func quota() {
        #expect(command("a GETQUOTA \"\"\r\n") == .getQuota(root: ""))
        #expect(command("a getquota bob\r\n") == .getQuota(root: "bob"))
        #expect(command("a GETQUOTAROOT INBOX\r\n") == .getQuotaRoot("INBOX"))
        #expect(
            command("a SETQUOTA \"\" (STORAGE 512 message 10)\r\n")
                == .setQuota(
                    root: "",
                    limits: [
                        QuotaResourceLimit(name: "STORAGE", limit: 512), QuotaResourceLimit(name: "MESSAGE", limit: 10),
                    ]))
        #expect(command("a SETQUOTA \"\" ()\r\n") == .setQuota(root: "", limits: []))
        #expect(
            command("a SETQUOTA x (STORAGE 9223372036854775807)\r\n")
                == .setQuota(root: "x", limits: [QuotaResourceLimit(name: "STORAGE", limit: 9_223_372_036_854_775_807)])
        )
        expectError("a SETQUOTA x (STORAGE 9223372036854775808)\r\n")
        expectError("a GETQUOTA\r\n")
        expectError("a GETQUOTAROOT\r\n")
        expectError("a SETQUOTA \"\"\r\n")
        expectError("a SETQUOTA \"\" (STORAGE)\r\n")
        expectError("a SETQUOTA \"\" (STORAGE -1)\r\n")
        expectError("a SETQUOTA \"\" (STORAGE 1 )\r\n")
        expectError("a SETQUOTA \"\" STORAGE 1\r\n")
        expectError("a SETQUOTA \"\" (STORAGE 1) x\r\n")
        let many = (0...GrammarParser.maxQuotaResources).map { "R\($0) 1" }.joined(separator: " ")
        expectError("a SETQUOTA \"\" (\(many))\r\n")
    }

    @Test func create() {
        #expect(
            command("a CREATE x (USE (\\Sent \\Archive))\r\n")
                == .create("x", parameters: [.use(["\\Sent", "\\Archive"])]))
        #expect(command("a CREATE x\r\n") == .create("x", parameters: []))
        expectError("a CREATE x (FOO)\r\n")
        expectError("a CREATE x (USE (Sent))\r\n")
    }

    @Test func deleteRenameSubscribe() {
        #expect(command("a DELETE x\r\n") == .delete("x"))
        #expect(command("a RENAME x \"y z\"\r\n") == .rename(from: "x", to: "y z"))
        #expect(command("a SUBSCRIBE {3}\r\nx y\r\n") == .subscribe("x y"))
        #expect(command("a UNSUBSCRIBE x]\r\n") == .unsubscribe("x]"))
        expectError("a RENAME x\r\n")
        expectError("a DELETE (x)\r\n")
        expectError("a DELETE x*\r\n")
    }

    @Test func list() {
        #expect(command("a LIST \"\" *\r\n") == .list(ListCommand(reference: "", patterns: ["*"])))
        #expect(command("a LIST ref %/x]*\r\n") == .list(ListCommand(reference: "ref", patterns: ["%/x]*"])))
        #expect(
            command("a LIST (SUBSCRIBED REMOTE) \"\" (a \"b c\") RETURN (CHILDREN STATUS (MESSAGES))\r\n")
                == .list(
                    ListCommand(
                        selectionOptions: [.subscribed, .remote], reference: "", patterns: ["a", "b c"],
                        returnOptions: [.children, .status([.messages])])))
        expectError("a LIST \"\"\r\n")
        expectError("a LIST \"\" ()\r\n")
        expectError("a LIST (BOGUS) \"\" *\r\n")
        expectError("a LIST \"\" * RETURN (BOGUS)\r\n")
        expectError("a LIST \"\" * EXTRA\r\n")
    }

    @Test func lsub() {
        #expect(command("a LSUB \"#news.\" comp.*\r\n") == .lsub(reference: "#news.", pattern: "comp.*"))
        expectError("a LSUB x\r\n")
    }

    @Test func status() {
        #expect(
            command("a STATUS INBOX (messages UIDNEXT size appendlimit)\r\n")
                == .status("INBOX", [.messages, .uidNext, .size, .appendLimit]))
        #expect(
            command("a STATUS INBOX (DELETED deleted-storage)\r\n") == .status("INBOX", [.deleted, .deletedStorage]))
        expectError("a STATUS INBOX ()\r\n")
        expectError("a STATUS INBOX (FOO)\r\n")
        expectError("a STATUS INBOX MESSAGES\r\n")
        expectError("a STATUS INBOX (MESSAGES\r\n")
    }
}
