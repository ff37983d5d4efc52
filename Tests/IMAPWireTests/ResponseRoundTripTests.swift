import NIOCore
import Testing

@testable import IMAPWire

/// Every fixture response, encoded and read back by the test parser, is the value it was made from
/// (except where the encoding is lossy on purpose: sanitised text, base64, pre-encoded items, NUL in
/// message text); and reading works however the bytes arrive.
@Suite struct ResponseRoundTripTests {
    static var responses: [ServerResponse] {
        ResponseEncodingTests.fixtures.map(\.0).filter(isReversible)
            + FetchResponseEncodingTests.fixtures.map { attributes, _ in
                ServerResponse.untagged(
                    .fetch(FetchResponse(sequenceNumber: 7, attributes: attributes.map(withoutBodyExtensions))))
            }.filter(isReversible)
    }

    /// BODY carries no extension data (only BODYSTRUCTURE does): what it reads back as.
    static func withoutBodyExtensions(_ attribute: MessageAttribute) -> MessageAttribute {
        guard case .body(let body) = attribute else { return attribute }
        return .body(stripped(body))
    }

    static func stripped(_ body: FetchBody) -> FetchBody {
        switch body {
        case .multipart(let parts, let subtype, _):
            return .multipart(parts: parts.map(stripped), subtype: subtype, extension: FetchBodyExtension())
        case .singlePart(var part):
            part.md5 = nil
            part.extension = FetchBodyExtension()
            if case .message(let envelope, let inner, let lines) = part.specific {
                part.specific = .message(envelope: envelope, body: stripped(inner), lines: lines)
            }
            return .singlePart(part)
        }
    }

    /// Encodings that do not give back their value, by design.
    static func isReversible(_ response: ServerResponse) -> Bool {
        switch response {
        case .continuation(.base64): return false
        case .tagged(let t): return !t.text.isEmpty && t.text == ResponseText.sanitized(t.text)
        case .untagged(.condition(_, _, let text)): return !text.isEmpty && text == ResponseText.sanitized(text)
        case .untagged(.fetch(let fetch)):
            return !fetch.attributes.contains {
                if case .encoded = $0 { return true }
                return false
            }
        default: return true
        }
    }

    @Test func everyKindIsCovered() {
        #expect(Self.responses.count >= 50)
    }

    @Test(arguments: responses.indices)
    func roundTrip(index: Int) throws {
        let response = Self.responses[index]
        let bytes = Array(ResponseEncoder().encode(response).readableBytesView)
        let (parsed, used) = try ResponseParser.parse(bytes)
        #expect(parsed == response)
        #expect(used == bytes.count)
    }

    /// All responses back to back, cut in two at every position: the reader gets the same responses.
    @Test func everyTwoWaySplitReadsTheSameResponses() throws {
        var all: [UInt8] = []
        for response in Self.responses { all += ResponseEncoder().encode(response).readableBytesView }
        for cut in stride(from: 0, through: all.count, by: 1) {
            var reader = ResponseReader()
            var read = reader.feed(Array(all[..<cut]))
            read += reader.feed(Array(all[cut...]))
            #expect(read == Self.responses, "cut at \(cut)")
            #expect(reader.pending == 0)
        }
    }

    @Test func byteByByteReadsTheSameResponses() throws {
        var all: [UInt8] = []
        for response in Self.responses { all += ResponseEncoder().encode(response).readableBytesView }
        var reader = ResponseReader()
        var read: [ServerResponse] = []
        for byte in all { read += reader.feed([byte]) }
        #expect(read == Self.responses)
    }
}

/// Collects bytes as they arrive and hands out each response once it is complete.
struct ResponseReader {
    private var buffer: [UInt8] = []

    var pending: Int { buffer.count }

    mutating func feed(_ bytes: [UInt8]) -> [ServerResponse] {
        buffer += bytes
        var responses: [ServerResponse] = []
        while !buffer.isEmpty {
            do {
                let (response, used) = try ResponseParser.parse(buffer)
                responses.append(response)
                buffer.removeFirst(used)
            } catch ResponseParser.Failure.incomplete {
                break
            } catch {
                Issue.record("cannot read \(String(decoding: buffer.prefix(80), as: UTF8.self)): \(error)")
                buffer.removeAll()
            }
        }
        return responses
    }
}
