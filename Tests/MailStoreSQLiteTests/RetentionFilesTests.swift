import Foundation
import MailStore
import MailStoreConformance
import MailStoreSQLite
import Testing

/// The content file of an expunged message a session may still read stays on disk until the
/// retention lets the message go, then is unlinked like any freed file.
@Suite struct RetentionFilesTests {
    func blobFiles(_ directory: URL) -> Int {
        let root = directory.appendingPathComponent("blobs")
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
        var count = 0
        while let url = enumerator?.nextObject() as? URL {
            if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true { count += 1 }
        }
        return count
    }

    @Test func aFreedFileWaitsForTheLastViewer() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteMailStore(dataDirectory: directory)
            let account = try await MailStoreConformance.makeAccount(store)
            let inbox = try await MailStoreConformance.mailboxID(store, account, "INBOX")
            let uids = try await MailStoreConformance.fill(store, account, inbox, count: 2)
            #expect(blobFiles(directory) == 2)
            var viewer: ExpungeRetention.Viewer? = store.changeHub.retention.view(account: account, mailbox: inbox)
            viewer?.told(through: try #require(try await store.highestModSeq(account: account, mailbox: inbox)))
            _ = try await store.store(
                account: account, mailbox: inbox, uids: UIDSet(uids), operation: .add,
                flags: MessageFlags(system: .deleted), unchangedSince: nil)
            #expect(try await store.expunge(account: account, mailbox: inbox, uids: nil) == uids)
            #expect(blobFiles(directory) == 2, "kept for the viewer")
            let kept = try #require(store.changeHub.retention.message(account: account, mailbox: inbox, uid: uids[0]))
            #expect(try await kept.open()?.readAll() == Array(MailStoreConformance.message(0).utf8))
            withExtendedLifetime(viewer) {}
            viewer = nil
            #expect(blobFiles(directory) == 0, "unlinked once let go")
        }
    }
}
