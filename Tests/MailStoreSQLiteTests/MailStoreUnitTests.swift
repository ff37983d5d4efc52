import Foundation
import MailStore
import Testing

@Suite struct MailboxNameTests {
    @Test(arguments: [
        ("INBOX", true), ("Archive/2024", true), ("Caf\u{E9}", true), ("a b", true), ("日本語/メール", true),
        ("", false), ("/a", false), ("a/", false), ("a//b", false), ("a/./b", false), ("a/../b", false), (".", false),
        ("..", false), ("a\u{0}b", false), ("a\u{7F}", false), ("tab\there", false), ("new\nline", false),
        ("50%", false), ("a*", false), (String(repeating: "x", count: 255), true),
        (String(repeating: "x", count: 256), false), (String(repeating: "é", count: 128), false),
        (Array(repeating: "l", count: 16).joined(separator: "/"), true),
        (Array(repeating: "l", count: 17).joined(separator: "/"), false), (".hidden", true), ("a.b", true),
    ])
    func validation(name: String, valid: Bool) {
        #expect(((try? MailboxPath.validate(name)) != nil) == valid, "\(name.debugDescription)")
    }

    @Test func reasonIsHuman() {
        #expect(throws: MailStoreError.invalidMailboxName("wildcard (% or *) in mailbox name")) {
            try MailboxPath.validate("a%")
        }
    }

    @Test func normalization() {
        #expect(MailboxPath.normalize("inbox") == "INBOX")
        #expect(MailboxPath.normalize("InBox/Sub") == "INBOX/Sub")
        #expect(MailboxPath.normalize("Inboxes") == "Inboxes")
        #expect(MailboxPath.normalize("x/inbox") == "x/inbox")
        #expect(MailboxPath.normalize("Cafe\u{301}") == "Caf\u{E9}")
        #expect(MailboxPath.normalize("\u{131}nbox") == "\u{131}nbox", "dotless i is not INBOX")
        #expect(MailboxPath.isInbox("iNbOx") && !MailboxPath.isInbox("INBOX/a"))
        #expect(MailboxPath.parent(of: "a/b/c") == "a/b")
        #expect(MailboxPath.parent(of: "a") == nil)
        #expect(MailboxPath.ancestors(of: "a/b/c") == ["a", "a/b"])
        #expect(MailboxPath.isInside("a/b", ancestor: "a") && !MailboxPath.isInside("ab", ancestor: "a"))
    }

    @Test func accountNames() {
        for good in ["alice", "a", "alice.b+tag@example.org", "A_1-2", String(repeating: "x", count: 64)] {
            #expect((try? AccountName.validate(good)) != nil, "\(good)")
        }
        for bad in ["", ".a", "-a", "a b", "a/b", "é", "a:b", String(repeating: "x", count: 65)] {
            #expect((try? AccountName.validate(bad)) == nil, "\(bad)")
        }
    }
}

@Suite struct FlagArithmeticTests {
    @Test func keywordsAreCaseInsensitive() {
        let current = MessageFlags(system: .seen, keywords: ["Work"])
        #expect(current.applying(.add, MessageFlags(keywords: ["work", "Home"])).keywords == ["Work", "Home"])
        #expect(current.applying(.remove, MessageFlags(system: .seen, keywords: ["WORK"])) == MessageFlags())
        #expect(current.applying(.replace, MessageFlags(keywords: ["WORK"])).keywords == ["Work"])
        #expect(MessageFlags(keywords: ["a", "A"]).normalized.keywords.count == 1)
    }
}

@Suite struct UIDSetTests {
    @Test func mergesAndIterates() {
        var set = UIDSet([5, 1, 2, 3, 9])
        #expect(set.ranges == [1...3, 5...5, 9...9])
        set.insert(4)
        #expect(set.ranges == [1...5, 9...9])
        set.insert(6...8)
        #expect(set.ranges == [1...9])
        #expect(Array(UIDSet(ranges: [7...8, 1...2])) == [1, 2, 7, 8])
        #expect(UIDSet(ranges: [1...UID.max]).contains(UID.max))
        #expect(UIDSet(ranges: [1...UID.max]).count == Int(UID.max))
    }

    /// Building from UIDs or ranges in any order, with duplicates, overlaps, adjacency and UID.max,
    /// equals inserting them one by one; a large scattered set builds in one pass.
    @Test func buildsLikeRepeatedInsertion() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let uids = (0..<Int.random(in: 0...40, using: &generator)).map { _ in
                Bool.random(using: &generator)
                    ? UID.random(in: 1...60, using: &generator) : UID.max - UID.random(in: 0...3)
            }
            var inserted = UIDSet()
            for uid in uids { inserted.insert(uid...uid) }
            #expect(UIDSet(uids) == inserted)
            #expect(UIDSet(uids.sorted()) == inserted)
            let ranges = uids.map { $0...($0 + min(UID.max - $0, UID.random(in: 0...4, using: &generator))) }
            var insertedRanges = UIDSet()
            for r in ranges { insertedRanges.insert(r) }
            #expect(UIDSet(ranges: ranges) == insertedRanges)
        }
        let scattered = UIDSet((1...200_000).map { UID($0 * 2) })
        #expect(scattered.ranges.count == 200_000 && scattered.count == 200_000)
    }
}

@Suite struct PasswordHasherTests {
    @Test func makeAndVerify() throws {
        let hasher = PasswordHasher(unsafeTestIterations: 100)
        let creds = try hasher.makeCredentials(password: "correct horse")
        #expect(creds.salt.count == 16 && creds.storedKey.count == 32 && creds.serverKey.count == 32)
        #expect(creds.iterations == 100)
        #expect(hasher.verify(password: "correct horse", against: creds))
        #expect(!hasher.verify(password: "correct horsf", against: creds))
        #expect(!hasher.verify(password: "", against: creds))
        let other = try hasher.makeCredentials(password: "correct horse")
        #expect(other.salt != creds.salt && other.storedKey != creds.storedKey)
        #expect(PasswordHasher().iterations == 65_536)
    }

    /// RFC 7677 §3: user "user", password "pencil", 4096 iterations. The stored and server keys must
    /// reproduce the example's client proof and server signature.
    @Test func rfc7677Vector() throws {
        let salt = [UInt8](Data(base64Encoded: "W22ZaJ0SNY7soEsUEjb6gQ==")!)
        let creds = try PasswordHasher.credentials(password: "pencil", salt: salt, iterations: 4096)
        let authMessage =
            "n=user,r=rOprNGfwEbeRWgbNEkqO,"
            + "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,"
            + "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
        let serverSignature = PasswordHasher.hmacSHA256(key: creds.serverKey, message: Array(authMessage.utf8))
        #expect(Data(serverSignature).base64EncodedString() == "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
        // The client proof XOR the client signature gives the ClientKey, whose SHA-256 is the StoredKey.
        let proof = [UInt8](Data(base64Encoded: "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")!)
        let clientSignature = PasswordHasher.hmacSHA256(key: creds.storedKey, message: Array(authMessage.utf8))
        let clientKey = zip(proof, clientSignature).map { $0 ^ $1 }
        #expect(PasswordHasher.sha256(clientKey) == creds.storedKey)
    }

    @Test func generatedPasswords() {
        let a = PasswordHasher.generatePassword()
        let b = PasswordHasher.generatePassword()
        #expect(a.count == 20 && a != b)
        #expect(a.allSatisfy { PasswordHasher.passwordAlphabet.contains($0) })
        #expect(!a.contains("0") && !a.contains("O") && !a.contains("l") && !a.contains("1"))
    }
}

@Suite struct MessageContentTests {
    static let bytes = (0..<(MessageContent.inlineReadLimit + 5000)).map { UInt8(truncatingIfNeeded: $0 &* 7) }

    /// The same content in memory and in a file.
    static func contents() throws -> [MessageContent] {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("content-\(UUID().uuidString)")
        try Data(bytes).write(to: url)
        let fd = open(url.path, O_RDONLY)
        try FileManager.default.removeItem(at: url)
        return [MessageContent(bytes: bytes), MessageContent(fileDescriptor: fd, size: bytes.count)]
    }

    @Test func skipThenReadGivesTheRange() async throws {
        for content in try Self.contents() {
            try content.skip(100)
            #expect(try content.read(upTo: 10) == Array(Self.bytes[100..<110]))
            try content.skip(1000)
            // More than the inline limit: read off the caller's thread, same bytes.
            let rest = try await content.readOffThread(upTo: MessageContent.inlineReadLimit + 1)
            #expect(rest == Array(Self.bytes[1110..<(1110 + MessageContent.inlineReadLimit + 1)]))
            #expect(try await content.readAll() == Array(Self.bytes[(1111 + MessageContent.inlineReadLimit)...]))
        }
    }

    @Test func skippingPastTheEndLeavesNothing() async throws {
        for content in try Self.contents() {
            try content.skip(Self.bytes.count + 10)
            #expect(try await content.readOffThread(upTo: 5).isEmpty)
        }
    }
}
