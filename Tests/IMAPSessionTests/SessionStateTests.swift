import IMAPWire
import MailStore
import Testing

@testable import IMAPSession

/// The state machine of RFC 9051 §3 and the command table of §6, without a store or a socket.
@Suite struct SessionStateTests {
    static let user = SessionState.LoggedIn(account: AccountID(1), name: "alice")
    static let view = SelectedMailbox(
        snapshot: MailboxSnapshot(
            info: MailboxInfo(
                id: MailboxID(7), name: "INBOX", uidValidity: 9, uidNext: 4, highestModSeq: 5,
                specialUse: nil, isNoSelect: false),
            uids: [1, 2, 3], recentUIDs: []),
        readOnly: false)
    static let inbox = MailboxName("INBOX")

    @Test func admission() {
        let commands: [(Command, SessionState.Requirement)] = [
            (.capability, .anyState), (.noop, .anyState), (.logout, .anyState), (.id(nil), .anyState),
            (.starttls, .notAuthenticated), (.login(username: "a", password: "b"), .notAuthenticated),
            (.select(Self.inbox, parameters: []), .authenticated), (.idle, .authenticated),
            (.status(Self.inbox, [.messages]), .authenticated), (.unauthenticate, .authenticated),
            (.check, .selected), (.expunge, .selected),
            (.copy(SequenceSet.ranges([SequenceRange(.number(1))]), Self.inbox, uid: false), .selected),
        ]
        for (command, requirement) in commands {
            #expect(SessionState.requirement(of: command) == requirement, "\(command)")
            let expectations: [(SessionState, SessionState.Admission)] =
                switch requirement {
                case .anyState, .notAuthenticated:
                    [(.notAuthenticated, .admitted), (.authenticated(Self.user), .admitted)]
                case .authenticated:
                    [
                        (.notAuthenticated, .needsLogin), (.authenticated(Self.user), .admitted),
                        (.selected(Self.user, Self.view), .admitted),
                    ]
                case .selected:
                    [
                        (.notAuthenticated, .needsLogin), (.authenticated(Self.user), .needsSelection),
                        (.selected(Self.user, Self.view), .admitted),
                    ]
                }
            for (state, admission) in expectations {
                #expect(state.admits(command) == admission, "\(command) in \(state)")
            }
            #expect(SessionState.loggedOut.admits(command) == .loggedOut)
        }
    }

    @Test func transitions() {
        var state = SessionState.notAuthenticated
        #expect(state.loggedIn == nil && state.selectedMailbox == nil)
        state.logIn(Self.user)
        #expect(state.loggedIn?.account == Self.user.account)
        state.deselect()
        #expect(state.loggedIn != nil, "deselecting when nothing is selected keeps the login")
        state.select(Self.view)
        #expect(state.selectedMailbox?.id == MailboxID(7))
        state.updateSelected { $0.savedSearch = [2] }
        #expect(state.selectedMailbox?.savedSearch == [2])
        state.deselect()
        #expect(state.selectedMailbox == nil && state.loggedIn != nil)
        state.updateSelected { $0.savedSearch = [3] }
        #expect(state.selectedMailbox == nil, "no view to update once deselected")
    }

    @Test func enable() {
        var extensions = SessionExtensions()
        #expect(extensions.enable(["qresync", "XYZZY", "QRESYNC"], rev2Offered: true) == ["QRESYNC"])
        #expect(extensions.condstore && extensions.qresync, "QRESYNC implies CONDSTORE")
        #expect(extensions.enable(["CONDSTORE"], rev2Offered: true) == [], "already on")
        #expect(extensions.enable(["IMAP4rev2"], rev2Offered: false) == [])
        #expect(extensions.enable(["IMAP4rev2", "UTF8=ACCEPT"], rev2Offered: true) == ["IMAP4rev2", "UTF8=ACCEPT"])
        #expect(extensions.utf8MailboxNames)
        extensions.reset()
        #expect(!extensions.condstore && !extensions.rev2)
    }

    /// RFC 7162 §3.1's list of CONDSTORE-enabling commands.
    @Test func condstoreEnablingCommands() {
        let all = SequenceSet.ranges([SequenceRange(.number(1), .last)])
        let enabling: [Command] = [
            .select(Self.inbox, parameters: [.condstore]), .examine(Self.inbox, parameters: [.condstore]),
            .status(Self.inbox, [.messages, .highestModSeq]),
            .fetch(all, [.flags, .modSeq], modifiers: [], uid: false),
            .fetch(all, [.flags], modifiers: [.changedSince(4)], uid: true),
            .search(SearchCommand(key: .and([.all, .modSeq(3)]))),
            .store(all, StoreAction(mode: .add, silent: true, flags: []), unchangedSince: 5, uid: false),
        ]
        let others: [Command] = [
            .select(Self.inbox, parameters: []), .status(Self.inbox, [.messages]),
            .fetch(all, [.flags], modifiers: [], uid: true), .search(SearchCommand(key: .all)),
            .store(all, StoreAction(mode: .add, silent: true, flags: []), unchangedSince: nil, uid: false),
            .noop, .enable(["CONDSTORE"]),
        ]
        for command in enabling {
            var extensions = SessionExtensions()
            extensions.noteCommand(command)
            #expect(extensions.condstore, "\(command)")
        }
        for command in others {
            var extensions = SessionExtensions()
            extensions.noteCommand(command)
            #expect(!extensions.condstore, "\(command)")
        }
    }
}
