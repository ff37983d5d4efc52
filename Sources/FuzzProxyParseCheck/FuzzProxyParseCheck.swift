import Defences

/// A property of the PROXY header parser that an input broke.
public struct ProxyParseCheckFailure: Error, CustomStringConvertible {
    public let description: String
}

/// The body of the FuzzProxyParse harness, also run over its seed corpus by the unit tests.
///
/// The input is the start of a connection. No input may trap, and the outcome must not depend on how
/// the bytes arrive: every prefix shorter than a whole header is `.needMore`, every longer one gives
/// the same header; once a prefix is invalid every longer one is invalid too; a header's length is
/// within `ProxyHeader.maxLength` and the input.
public func checkProxyParseInput(_ bytes: [UInt8]) throws(ProxyParseCheckFailure) {
    let whole = ProxyHeader.parse(bytes)
    var invalidFrom: Int?
    for end in 0...bytes.count {
        let outcome = ProxyHeader.parse(bytes[..<end])
        switch outcome {
        case .invalid:
            if invalidFrom == nil { invalidFrom = end }
        case .needMore:
            if invalidFrom != nil { throw ProxyParseCheckFailure(description: "valid again after invalid at \(end)") }
        case .header(_, let length):
            guard length <= end, length <= ProxyHeader.maxLength, length >= ProxyHeader.fixedLength else {
                throw ProxyParseCheckFailure(description: "header length \(length) with \(end) bytes")
            }
            guard outcome == whole else {
                throw ProxyParseCheckFailure(description: "prefix of \(end) bytes: \(outcome), whole: \(whole)")
            }
        }
    }
    if case .header(_, let length) = whole, case .header = ProxyHeader.parse(bytes[..<(length - 1)]) {
        throw ProxyParseCheckFailure(description: "a header one byte short was taken")
    }
}
