import Foundation
import Logging
import Synchronization
import Testing

@testable import PosternServer

@Suite struct JSONLogHandlerTests {
    static let time = Date(timeIntervalSince1970: 1_700_000_000.25)

    func object(_ line: String) throws -> [String: Any] {
        #expect(line.hasSuffix("}\n"))
        #expect(line.dropLast().contains("\n") == false)
        return try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test func fixedFieldsAndTheRest() throws {
        let line = JSONLogHandler.line(
            time: Self.time, level: .debug, label: "imap", message: "command",
            metadata: [
                "session": "7", "peer": "[IPv4]127.0.0.1/127.0.0.1:5000", "user": "alice", "command": "FETCH",
                "duration_ms": "1.5", "result": "OK", "kind": "imaps",
            ])
        let record = try object(line)
        #expect(record["time"] as? String == "2023-11-14T22:13:20.250Z")
        #expect(record["level"] as? String == "debug")
        #expect(record["subsystem"] as? String == "imap")
        #expect(record["message"] as? String == "command")
        #expect(record["session"] as? String == "7")
        #expect(record["client"] as? String == "[IPv4]127.0.0.1/127.0.0.1:5000")
        #expect(record["account"] as? String == "alice")
        #expect(record["command"] as? String == "FETCH")
        #expect(record["duration_ms"] as? Double == 1.5)
        #expect(record["result"] as? String == "OK")
        #expect(record["kind"] as? String == "imaps")
        #expect(record["user"] == nil && record["peer"] == nil)
        // The fixed fields come first, in this order.
        #expect(line.hasPrefix("{\"time\":\"2023-11-14T22:13:20.250Z\",\"level\":\"debug\",\"subsystem\":\"imap\""))
    }

    @Test(arguments: ["lmtp-peer", "managesieve-peer"])
    func otherClientKeys(key: String) throws {
        let record = try object(
            JSONLogHandler.line(time: Self.time, level: .info, label: "lmtp", message: "m", metadata: [key: "local"]))
        #expect(record["client"] as? String == "local")
    }

    @Test func controlCharactersCannotBreakTheLine() throws {
        let hostile = "a\"b\\c\nd\re\tf\u{0}g\u{1B}h\u{7F}i\u{85}j\u{2028}k"
        let line = JSONLogHandler.line(
            time: Self.time, level: .notice, label: "imap", message: hostile, metadata: [hostile: "\(hostile)"])
        let record = try object(line)
        #expect(record["message"] as? String == hostile)
        #expect(record[hostile] as? String == hostile)
        #expect(!line.utf8.dropLast().contains { $0 < 0x20 })
    }

    @Test func aDurationThatIsNotANumberStaysAString() throws {
        let record = try object(
            JSONLogHandler.line(
                time: Self.time, level: .info, label: "x", message: "m", metadata: ["duration_ms": "soon"]))
        #expect(record["duration_ms"] as? String == "soon")
    }

    @Test func handlerMergesMetadataAndKeepsItsLevel() throws {
        let lines = Mutex<[String]>([])
        var handler = JSONLogHandler(label: "store", level: .notice) { line in lines.withLock { $0.append(line) } }
        handler[metadataKey: "session"] = "3"
        var logger = Logger(label: "store") { _ in handler }
        logger[metadataKey: "user"] = "bob"
        logger.info("not written")
        logger.notice("written", metadata: ["result": "NO"])
        let written = lines.withLock { $0 }
        #expect(written.count == 1)
        let record = try object(try #require(written.first))
        #expect(record["message"] as? String == "written")
        #expect(record["session"] as? String == "3")
        #expect(record["account"] as? String == "bob")
        #expect(record["result"] as? String == "NO")
        #expect(record["subsystem"] as? String == "store")
    }
}
