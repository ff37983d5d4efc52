import MIME

/// libFuzzer entry point: arbitrary bytes as a message. Checks that parsing never traps, that every
/// range lies inside the message, that the serialised form reads back to the same structure, and
/// that sections, decoding and the address and encoded-word parsers survive whatever they are given.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: data, count: size))
    let message = MIMEMessage(bytes)
    let structure = message.structure
    guard ParsedMessage(serialized: structure.serialized()) == structure else { fatalError("round trip") }

    var stack: [([Int], MessagePart)] = [([], structure.root)]
    var visited = 0
    while let (path, part) = stack.popLast(), visited < 200 {
        visited += 1
        for r in [part.header, part.body] where r.lowerBound < 0 || r.upperBound > size {
            fatalError("range \(r) outside 0..<\(size)")
        }
        for kind in [SectionKind.body, .header, .text, .mime] { _ = message.section(path, kind) }
        _ = message.headerFields(path, names: ["subject", "from"])
        _ = message.decodedBody(of: part)
        _ = message.decodedText(of: part)
        _ = part.fileName
        let children = part.isMultipart ? part.parts : (part.encapsulated.map { [$0] } ?? [])
        if part.isMultipart || path.isEmpty {
            for (i, _) in children.enumerated() { stack.append((path + [i + 1], children[i])) }
        }
        if path.isEmpty, !part.isMultipart { stack.append(([1], part)) }
    }
    _ = message.decodedHeaderValue("subject")
    _ = message.searchableAddresses("from")
    _ = UnicodeCaseMap.contains(String(decoding: bytes.prefix(256), as: UTF8.self), "Straße")
    return 0
}
