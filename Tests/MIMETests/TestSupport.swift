@testable import MIME

/// Message text to bytes: each LF becomes CRLF unless `crlf` is false.
func mail(_ text: String, crlf: Bool = true) -> [UInt8] {
    var out: [UInt8] = []
    for b in text.utf8 {
        if b == 10, crlf { out.append(13) }
        out.append(b)
    }
    return out
}

extension MIMEMessage {
    /// A section's bytes as a String (for readable expectations).
    func text(_ path: [Int], _ kind: SectionKind) -> String? {
        section(path, kind).map { String(decoding: $0, as: UTF8.self) }
    }
}

func str(_ bytes: [UInt8]?) -> String? { bytes.map { String(decoding: $0, as: UTF8.self) } }
