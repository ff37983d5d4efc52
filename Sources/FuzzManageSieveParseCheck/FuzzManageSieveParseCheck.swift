import ManageSieve

/// A property of the ManageSieve parsing that an input broke.
public struct ManageSieveParseCheckFailure: Error, CustomStringConvertible {
    public let description: String
}

/// The body of the FuzzManageSieveParse harness, also run over its seed corpus by the unit tests.
///
/// The first byte picks a chunk size (1 + its value); the rest is a client's bytes. They are run
/// through the input twice, whole and in chunks, and every line is decoded as a command. No input may
/// trap; both runs must give the same lines; the input never holds more than one line's bound plus
/// one literal plus one chunk; every string a line carries, encoded as a response string and read
/// back, is the same string.
public func checkManageSieveParseInput(_ bytes: [UInt8]) throws(ManageSieveParseCheckFailure) {
    guard let first = bytes.first else { return }
    let input = Array(bytes.dropFirst())
    let whole = try run(input, chunk: max(input.count, 1))
    let chunked = try run(input, chunk: Int(first) + 1)
    guard whole == chunked else {
        throw ManageSieveParseCheckFailure(description: "chunking changed the outcome: \(whole) vs \(chunked)")
    }
}

private func run(_ input: [UInt8], chunk: Int) throws(ManageSieveParseCheckFailure) -> [ManageSieveLine] {
    var limits = ManageSieveLimits()
    limits.maxLineLength = 256
    limits.maxScriptSize = 512
    var framer = ManageSieveInput(limits: limits)
    var lines: [ManageSieveLine] = []
    var offset = 0
    while offset < input.count {
        let end = min(input.count, offset + chunk)
        framer.append(input[offset..<end])
        offset = end
        while let line = framer.next() {
            lines.append(line)
            if case .tokens(let tokens) = line {
                _ = ManageSieveCommand.decode(tokens)
                try checkRoundTrip(tokens)
            }
        }
        let bound = limits.maxLineLength + limits.maxLiteralSize + chunk + ManageSieveLimits.maxQuotedLength
        guard framer.bufferedCount <= bound else {
            throw ManageSieveParseCheckFailure(description: "buffered \(framer.bufferedCount) octets, bound \(bound)")
        }
    }
    return lines
}

/// Each string, encoded as the server would send it and read back as a client's line, is unchanged.
private func checkRoundTrip(_ tokens: [ManageSieveToken]) throws(ManageSieveParseCheckFailure) {
    for case .string(let value) in tokens {
        var limits = ManageSieveLimits()
        limits.maxScriptSize = max(value.count, 1)
        var reader = ManageSieveInput(limits: limits)
        reader.append(ManageSieveResponse.string(value) + [0x0D, 0x0A])
        guard reader.next() == .tokens([.string(value)]) else {
            throw ManageSieveParseCheckFailure(description: "string \(value) does not read back")
        }
    }
}
