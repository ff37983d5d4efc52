import IMAPWire
import MIME
import MailStore

/// The full-text index document of a message (see `SearchDocumentMaker`): every text `SearchEvaluator`
/// compares a TEXT, BODY or header key with, each folded as the evaluator folds it (i;unicode-casemap,
/// `UnicodeCaseMap.fold`), one per line. A term that the exact rule finds in a message is thus a
/// substring of its document, and the index, which only looks for pieces of terms in documents, never
/// loses a match; whatever else it finds, the evaluator leaves out. HTML parts are kept as they are,
/// because SEARCH compares them as they are: a document reduced to the visible text would miss the
/// words of a tag that the exact rule finds.
public enum SearchDocument {
    /// What `make` puts in a document, in its version: raise it whenever that changes, also when the MIME
    /// module decodes text differently (a charset, a transfer encoding), so that the indexer makes every
    /// document again. A document of older decoding could lack a string the exact rule now finds.
    static let contentVersion = 1
    /// `contentVersion` with the parser's version: a new parser makes new documents too.
    static let version = contentVersion << 16 | ParsedMessage.serializationVersion

    /// What the server's `SearchIndexer` and `postern index rebuild` make documents with.
    public static let maker = SearchDocumentMaker(version: version) { make($0) }

    /// The document of a message's whole content. Making stops once it is longer than
    /// `SearchTerms.maxDocumentBytes` (the store keeps no such document).
    static func make(_ bytes: [UInt8]) -> [UInt8] {
        let content = MIMEMessage(bytes)
        var document: [UInt8] = []
        func add(_ folded: [UInt8]) -> Bool {
            document += folded
            document.append(0x0A)
            return document.count <= SearchTerms.maxDocumentBytes
        }
        // TEXT: every header of the message, its parts and attached messages, encoded words decoded.
        guard add(UnicodeCaseMap.fold(SearchEvaluator.decodedHeader(content))) else { return document }
        // Header keys: each field of the message's header unfolded and decoded, and the address fields
        // as "Display Name <mailbox@host>".
        let values = content.bytes.withUnsafeBufferPointer { b in
            HeaderParser.parse(b, in: content.root.header.clamped(to: 0..<b.count)).fields.map {
                EncodedWords.decode(HeaderField.unfold(b, $0.value))
            }
        }
        for value in values {
            guard add(UnicodeCaseMap.fold(value)) else { return document }
        }
        for name in SearchEvaluator.addressFields.sorted() where !content.rawHeaderValues(name).isEmpty {
            guard add(UnicodeCaseMap.fold(content.searchableAddresses(name))) else { return document }
        }
        // BODY and TEXT: the decoded text of the text parts.
        for part in content.textParts {
            let text = content.withDecodedTextUTF8(of: part) { Array($0) }
            guard add(UnicodeCaseMap.fold(utf8: text)) else { return document }
        }
        return document
    }

    /// The folded strings a message must contain for `key` to match it: those of its TEXT, BODY and
    /// header keys at the top level and in nested AND lists (under NOT or OR a string is not required).
    /// Empty strings are left out (they match every message, or every one with the field).
    static func requiredTerms(_ key: SearchKey) -> [[UInt8]] {
        switch key {
        case .text(let s), .body(let s), .subject(let s), .from(let s), .to(let s), .cc(let s), .bcc(let s),
            .header(_, let s):
            return s.isEmpty ? [] : [SearchEvaluator.matcher(s).needle]
        case .and(let keys): return keys.flatMap(requiredTerms)
        default: return []
        }
    }
}
