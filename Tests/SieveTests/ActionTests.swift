import Sieve
import Testing

/// Actions and their merging (RFC 5228 §4, RFC 3894, RFC 5232, RFC 5429, RFC 5490, RFC 9042), matched
/// against what Pigeonhole's sieve-test prints for the same scripts.
@Suite struct ActionTests {
    @Test func keepAndFileintoInboxMergeWithTheLastFlags() throws {
        let script = """
            require ["fileinto", "imap4flags"];
            fileinto :flags "\\\\Seen" "Work";
            fileinto :flags "\\\\Flagged" "Work";
            fileinto "inbox";
            keep :flags "b";
            """
        let result = try run(script)
        #expect(result.actions == [store("Work", ["\\flagged"]), store("INBOX", ["b"])])
        #expect(result.implicitKeep == nil)
    }

    @Test func redirectsMergeAndDiscardIsListed() throws {
        let script = """
            require ["imap4flags"];
            addflag "\\\\Flagged";
            redirect "x@example.org";
            redirect "<x@example.org>";
            keep;
            discard;
            """
        let result = try run(script)
        #expect(
            result.actions == [
                .redirect(address: "x@example.org", copy: false), store("INBOX", ["\\flagged"]), .discard,
            ])
    }

    @Test func copyKeepsTheImplicitKeepWithTheInternalFlags() throws {
        let script = """
            require ["copy", "fileinto", "imap4flags"];
            setflag "\\\\Seen Junk";
            fileinto :copy "Archive";
            redirect :copy "y@example.org";
            removeflag "junk";
            """
        let result = try run(script)
        #expect(
            result.actions == [
                .store(mailbox: "Archive", flags: ["\\seen", "Junk"], create: false, mailboxID: nil, copy: true),
                .redirect(address: "y@example.org", copy: true),
            ])
        #expect(result.implicitKeep == SieveKeep(flags: ["\\seen"]))
    }

    @Test func rejectConflictsAreRuntimeErrors() throws {
        for script in [
            "require [\"fileinto\", \"reject\"]; fileinto \"A\"; reject \"no\";",
            "require \"reject\"; redirect \"a@b.c\"; reject \"no\";",
            "require \"reject\"; reject \"a\"; reject \"b\";",
            "require [\"reject\", \"vacation\"]; reject \"a\"; vacation \"b\";",
            "require \"reject\"; reject \"a\"; keep;",
        ] {
            let result = try run(script)
            #expect(result.runtimeError?.hasPrefix("line 1: ") == true, "\(script)")
            #expect(result.implicitKeep == SieveKeep(flags: []))
        }
        let ok = try run("require \"ereject\"; ereject \"go away\";")
        #expect(ok.actions == [.reject(reason: "go away", extended: true)])
        #expect(ok.implicitKeep == nil)
    }

    @Test func mailboxCreateAndMailboxID() throws {
        let script = """
            require ["fileinto", "mailbox", "mailboxid"];
            if mailboxexists "Lists" { fileinto :create "Lists"; }
            if mailboxidexists "F123" { fileinto :mailboxid "F123" "Old"; }
            """
        let env = SieveEnvironment(mailboxExists: { $0 == "Lists" }, mailboxIDExists: { $0 == "F123" })
        let result = try run(script, environment: env)
        #expect(
            result.actions == [
                .store(mailbox: "Lists", flags: [], create: true, mailboxID: nil, copy: false),
                .store(mailbox: "Old", flags: [], create: false, mailboxID: "F123", copy: false),
            ])
    }

    @Test func stopEndsTheScript() throws {
        let result = try run("require \"fileinto\"; fileinto \"A\"; stop; fileinto \"B\";")
        #expect(result.actions == [store("A")])
    }

    @Test func hasflagOnTheInternalVariableAndANamedOne() throws {
        let script = """
            require ["imap4flags", "variables", "fileinto"];
            addflag "flagvar" ["a", "b c"];
            addflag "x";
            if hasflag :contains "flagvar" "c" { fileinto "One"; }
            if hasflag "X" { fileinto "Two"; }
            if hasflag :count "eq" "flagvar" "3" { fileinto "Three"; }
            """
        let result = try run(script.replacingOccurrences(of: "require [", with: "require [\"relational\", "))
        #expect(
            result.actions.map { if case .store(let m, _, _, _, _) = $0 { return m } else { return "" } } == [
                "One", "Two", "Three",
            ])
    }

    @Test func jsonMatchesTheCanonicalFormat() {
        let script = """
            require ["fileinto", "imap4flags", "vacation"];
            fileinto :flags ["\\\\Seen", "\\\\SEEN", "B", "a"] "Work";
            vacation :days 3 :subject "away" "I am \\"away\\"";
            redirect "x@example.org";
            """
        #expect(
            json(script)
                == #"{"compile": "ok", "runtime_error": false, "actions": [{"type": "store", "mailbox": "Work", "flags": ["\\seen", "a", "b"]}, {"type": "vacation", "seconds": 259200, "subject": "away", "from": null, "reason": "I am \"away\"", "mime": false, "sent": true}, {"type": "redirect", "address": "x@example.org"}], "implicit_keep": null}"#
        )
        #expect(
            json("bogus;") == #"{"compile": "error", "runtime_error": false, "actions": [], "implicit_keep": null}"#)
        #expect(
            json("require \"reject\"; reject \"a\"; keep;")
                == #"{"compile": "ok", "runtime_error": true, "actions": [], "implicit_keep": {"flags": []}}"#)
    }

    @Test func humanListingLooksLikeSieveTest() throws {
        let result = try run("require [\"vacation\"]; vacation :subject \"away\" \"I am away\"; keep;")
        #expect(
            SieveOutput.human(result) == """

                Performed actions:

                 * send vacation message:
                    => seconds : 604800
                    => subject : away
                    => handle  : I am awayaway<default-from><NO-MIME>

                START MESSAGE
                I am away
                END MESSAGE
                 * store message in folder: INBOX

                Implicit keep:

                  (none)


                """)
    }
}

/// Flags keep their first spelling in actions, are lower-cased and sorted in the JSON, and are listed as
/// sieve-test lists them.
@Suite struct FlagListingTests {
    @Test func flagsInActionsJSONAndListing() throws {
        let script =
            "require \"imap4flags\"; addflag [\"\\\\Seen\", \"Zed\", \"$Junk\", \"\\\\FLAGGED\", \"abc\", \"zed\"]; keep;"
        let result = try run(script)
        #expect(result.actions == [store("INBOX", ["\\seen", "Zed", "$Junk", "\\flagged", "abc"])])
        #expect(SieveOutput.json(result).contains(#""flags": ["$junk", "\\flagged", "\\seen", "abc", "zed"]"#))
        #expect(SieveOutput.human(result).contains("        + add IMAP flags: \\flagged \\seen Zed $Junk abc\n"))
    }
}

/// Long or multi-line reject reasons are shown as sieve-test shows them, in the listing and the JSON alike.
@Suite struct ListingTextTests {
    @Test func longAndMultiLineTexts() throws {
        let reason = String(repeating: "x", count: 129)
        let result = try run("require \"reject\"; reject \"\(reason)\";")
        #expect(
            SieveOutput.human(result).contains(
                " * reject message with reason: \(String(repeating: "x", count: 125))...\n"))
        #expect(SieveOutput.json(result).contains(#""reason": "\#(String(repeating: "x", count: 125))...""#))
        let exact = try run("require \"reject\"; reject \"\(String(repeating: "y", count: 128))\";")
        #expect(SieveOutput.human(exact).contains(String(repeating: "y", count: 128) + "\n"))
        let lines = try run("require \"reject\"; reject text:\na\n.\n;")
        #expect(SieveOutput.human(lines).contains(" * reject message with reason: a??\n"))
    }
}

/// How a repeated action merges, as sieve-test shows it.
@Suite struct MergeTests {
    @Test func aRepeatedStoreKeepsTheFirstsCopyCreateAndNameAndTheLastFlags() throws {
        let first = try run(
            "require [\"copy\", \"fileinto\", \"imap4flags\"]; fileinto :copy :flags \"x\" \"A\"; fileinto :flags \"y\" \"A\";"
        )
        #expect(first.actions == [.store(mailbox: "A", flags: ["y"], create: false, mailboxID: nil, copy: true)])
        #expect(first.implicitKeep == SieveKeep(flags: []))
        let create = try run("require [\"mailbox\", \"fileinto\"]; fileinto \"A\"; fileinto :create \"A\";")
        #expect(create.actions == [store("A")])
        #expect(try run("require \"fileinto\"; fileinto \"inbox\"; fileinto \"Inbox\";").actions == [store("inbox")])
        #expect(try run("require \"fileinto\"; fileinto \"inbox\"; keep;").actions == [store("INBOX")])
        #expect(
            try run("require \"fileinto\"; fileinto \"Work\"; fileinto \"work\";").actions == [
                store("Work"), store("work"),
            ])
    }

    @Test func redirectAddressesAreNormalizedAndARepeatLeavesTheKeep() throws {
        let result = try run(
            "require \"copy\"; redirect :copy \"Bob <a@B.C>\"; redirect \"a@b.c\"; redirect \"A@b.c\";")
        #expect(result.actions == [.redirect(address: "a@b.c", copy: true), .redirect(address: "A@b.c", copy: false)])
        let kept = try run("require \"copy\"; redirect :copy \"a@b.c\"; redirect \"a@b.c\";")
        #expect(kept.implicitKeep == SieveKeep(flags: []))
    }
}

/// Flags IMAP cannot store are left out of actions (RFC 9051 §2.3.2), as Pigeonhole leaves them out.
@Suite struct StorableFlagTests {
    @Test func unstorableFlagsAreDropped() throws {
        let script =
            "require [\"imap4flags\", \"fileinto\"]; fileinto :flags [\"\\\\Foo\", \"\\\\Recent\", \"a(b\", \"\u{E4}\", \"ok\", \"\\\\Draft\"] \"A\";"
        #expect(try run(script).actions == [store("A", ["ok", "\\draft"])])
        let keep = try run("require \"imap4flags\"; addflag \"\\\\Recent x\";")
        #expect(keep.implicitKeep == SieveKeep(flags: ["x"]))
    }
}
