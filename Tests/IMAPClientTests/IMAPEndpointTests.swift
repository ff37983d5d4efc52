import Testing

@testable import IMAPClient

@Suite struct IMAPEndpointTests {
    @Test func forms() throws {
        #expect(
            try IMAPEndpoint(parsing: "imaps://alice@mail.example.org")
                == IMAPEndpoint(security: .implicitTLS, login: "alice", host: "mail.example.org", port: 993))
        #expect(
            try IMAPEndpoint(parsing: "imap://bob@127.0.0.1:1143/")
                == IMAPEndpoint(security: .startTLS, login: "bob", host: "127.0.0.1", port: 1143))
        #expect(
            try IMAPEndpoint(parsing: "IMAPS://carol@example.com@[::1]:10993")
                == IMAPEndpoint(security: .implicitTLS, login: "carol@example.com", host: "::1", port: 10993))
        #expect(try IMAPEndpoint(parsing: "imaps://d%40x.org@h").login == "d@x.org")
        #expect(try IMAPEndpoint(parsing: "imaps://é@h").login == "é")
        #expect(try IMAPEndpoint(parsing: "imaps://carol@[::1]").description == "imaps://carol@[::1]:993")
    }

    @Test(arguments: [
        "http://a@h", "imaps://h", "imaps://@h", "imaps://a:pw@h", "imaps://a@", "imaps://a@h:0", "imaps://a@h:65536",
        "imaps://a@h:x", "imaps://a@h/INBOX", "imaps://a@[::1", "imaps://a@[::1]x", "imaps://a%zz@h", "imaps://a%0a@h",
        "imaps://a@h?x", "imaps://a%ff@h",
    ])
    func refused(_ text: String) {
        #expect(throws: IMAPEndpoint.ParseError.self) { _ = try IMAPEndpoint(parsing: text) }
    }

    @Test func quotedLoginStrings() throws {
        #expect(try IMAPConnection.quoted("a\"b\\c", what: "x") == "\"a\\\"b\\\\c\"")
        #expect(throws: IMAPClientError.self) { _ = try IMAPConnection.quoted("a\r\nb", what: "x") }
    }

    @Test func commandNamesInMessages() {
        #expect(IMAPConnection.name(of: "UID FETCH 1:* (FLAGS)") == "UID FETCH")
        #expect(IMAPConnection.name(of: "LOGIN a b") == "LOGIN")
    }
}
