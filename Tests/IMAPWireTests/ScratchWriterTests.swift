import Testing

@testable import IMAPWire

@Suite struct ScratchWriterTests {
    func text(_ write: (inout ScratchWriter) -> Void) -> String {
        var scratch = ScratchWriter(capacity: 256)
        defer { scratch.deallocate() }
        write(&scratch)
        return String(decoding: scratch.written, as: UTF8.self)
    }

    @Test func decimals() {
        for n: UInt64 in [0, 7, 10, 99, 4_294_967_295, UInt64.max] {
            #expect(text { $0.decimal(n) } == String(n))
        }
        #expect(
            text {
                $0.decimal(12_345); $0.decimal(0)
            } == "123450")
    }

    @Test func piecesFollowEachOther() {
        let bytes = Array("(\\Seen)".utf8)
        #expect(
            text {
                $0.put("* "); $0.put(bytes); $0.put([]); $0.put(bytes, 1..<6); $0.put(bytes, 2..<2)
            } == "* (\\Seen)\\Seen")
    }
}
