import MIME

/// A property of the MIME parser that an input broke.
public struct MIMEParseCheckFailure: Error, CustomStringConvertible {
    public let description: String
}

/// The body of the FuzzMIMEParse harness, also run over its seed corpus by the unit tests.
///
/// Takes the input as a message. Parsing must not trap, every part's header and body ranges must lie inside
/// the message, and the serialised structure must read back to the same structure. Sections, header field
/// selection, transfer and charset decoding, file names, encoded words, addresses and the Unicode case map
/// are exercised on every part (up to 200 of them) and must not trap either.
public func checkMIMEParseInput(_ bytes: [UInt8]) throws(MIMEParseCheckFailure) {
    let size = bytes.count
    let message = MIMEMessage(bytes)
    let structure = message.structure
    guard ParsedMessage(serialized: structure.serialized()) == structure else {
        throw MIMEParseCheckFailure(description: "serialised structure reads back different")
    }

    var stack: [([Int], MessagePart)] = [([], structure.root)]
    var visited = 0
    while let (path, part) = stack.popLast(), visited < 200 {
        visited += 1
        for r in [part.header, part.body] where r.lowerBound < 0 || r.upperBound > size {
            throw MIMEParseCheckFailure(description: "part \(path): range \(r) outside 0..<\(size)")
        }
        for kind in [SectionKind.body, .header, .text, .mime] { _ = message.section(path, kind) }
        _ = message.headerFields(path, names: ["subject", "from"])
        _ = message.decodedBody(of: part)
        _ = message.decodedText(of: part)
        _ = part.fileName
        let children = part.isMultipart ? part.parts : (part.encapsulated.map { [$0] } ?? [])
        if part.isMultipart || path.isEmpty {
            for (i, child) in children.enumerated() { stack.append((path + [i + 1], child)) }
        }
        if path.isEmpty, !part.isMultipart { stack.append(([1], part)) }
    }
    _ = message.decodedHeaderValue("subject")
    _ = message.searchableAddresses("from")
    _ = UnicodeCaseMap.contains(String(decoding: bytes.prefix(256), as: UTF8.self), "Straße")
}
