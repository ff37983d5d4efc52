import Foundation
import MailStore
import MailStoreConformance
import MailStoreMemory
import Testing

/// What only the memory engine has: its private staging directory. (Its semantics are checked by
/// the conformance suite, in MailStoreConformanceTests.)
@Suite struct MemoryEngineTests {
    @Test func stagingDirectoryIsPrivateAndLeavesWithTheStore() async throws {
        var store: MemoryMailStore? = try MemoryMailStore()
        let directory = try #require(store).stagingDirectory
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o700)
        #expect(try MemoryMailStore().stagingDirectory != directory, "each store has its own")
        // A staged message that was never appended goes with the directory.
        _ = try MailStoreConformance.stage(try #require(store), "left behind")
        store = nil
        #expect(!FileManager.default.fileExists(atPath: directory.path))
    }
}
