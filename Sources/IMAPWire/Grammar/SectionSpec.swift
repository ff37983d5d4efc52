import NIOCore

/// section-spec = section-msgtext / (section-part ["." section-text])
public struct SectionSpec: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// `BODY[]` or `BODY[1.2]`
        case complete
        case header
        case headerFields([String])
        case headerFieldsNot([String])
        case text
        /// Only with a part number.
        case mime
    }

    /// section-part = nz-number *("." nz-number)
    public var part: [Int]
    public var kind: Kind

    public init(part: [Int] = [], kind: Kind = .complete) {
        self.part = part
        self.kind = kind
    }
}

/// section-partial = "<" number "." nz-number ">"
public struct PartialRange: Sendable, Hashable {
    public var offset: UInt32
    public var length: UInt32

    public init(offset: UInt32, length: UInt32) {
        self.offset = offset
        self.length = length
    }
}

// MARK: - Encoding

extension ByteBuffer {
    /// section = "[" [section-spec] "]"
    @discardableResult
    public mutating func writeSection(_ section: SectionSpec) -> Int {
        var n = writeString("[")
        n += writeString(section.part.map(String.init).joined(separator: "."))
        let sep = section.part.isEmpty ? "" : "."
        func writeList(_ fields: [String]) -> Int {
            var m = writeString(" (")
            for (i, f) in fields.enumerated() {
                if i > 0 { m += writeString(" ") }
                m += writeIMAPAtomOrString(f)
            }
            return m + writeString(")")
        }
        switch section.kind {
        case .complete: break
        case .header: n += writeString(sep + "HEADER")
        case .headerFields(let f): n += writeString(sep + "HEADER.FIELDS") + writeList(f)
        case .headerFieldsNot(let f): n += writeString(sep + "HEADER.FIELDS.NOT") + writeList(f)
        case .text: n += writeString(sep + "TEXT")
        case .mime: n += writeString(sep + "MIME")
        }
        return n + writeString("]")
    }

    @discardableResult
    public mutating func writePartialRange(_ p: PartialRange?) -> Int {
        guard let p else { return 0 }
        return writeString("<\(p.offset).\(p.length)>")
    }
}
