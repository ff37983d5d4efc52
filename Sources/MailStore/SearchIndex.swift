/// The full-text search index: an engine keeps, per message content, a text document that the layer
/// above makes from the message (`SearchDocumentMaker`), and answers which messages may contain given
/// strings (`MailStore.searchCandidates`). The index only narrows: the caller re-checks every candidate
/// with the exact rule, so an engine may answer with more messages than match, never with fewer.
///
/// Terms and documents are compared as UTF-8 substrings after the same folding (the caller folds
/// both: see `SearchDocumentMaker`). An engine may look for any necessary condition of "the term is a
/// substring of the document", such as every three-character piece of the term being in it
/// (`SearchTerms.trigrams`): SQLite FTS5's trigram tokenizer, PostgreSQL's pg_trgm.
public struct SearchDocumentMaker: Sendable {
    /// The version of the code that makes documents: an engine makes again those of other versions.
    public var version: Int
    /// The document of one message, from its whole content: every string a search term must be found in,
    /// folded as the terms are. Valid UTF-8.
    public var make: @Sendable (_ message: [UInt8]) -> [UInt8]

    public init(version: Int, make: @escaping @Sendable (_ message: [UInt8]) -> [UInt8]) {
        self.version = version
        self.make = make
    }
}

/// How far an account's index is (`postern index status`).
public struct SearchIndexStatus: Sendable, Equatable {
    /// Messages whose content has a document (or is known to be too large for one).
    public var indexed: Int
    /// Messages not indexed yet: a search reads them.
    public var pending: Int
    /// Bytes of document text kept for the account's messages (each content counted once).
    public var documentBytes: Int

    public init(indexed: Int, pending: Int, documentBytes: Int) {
        self.indexed = indexed
        self.pending = pending
        self.documentBytes = documentBytes
    }
}

/// Limits and the term pieces engines look up.
public enum SearchTerms {
    /// Characters in one piece of a term: FTS5's trigram tokenizer and pg_trgm both index three. A
    /// term shorter than this narrows nothing (the search reads every message).
    public static let pieceLength = 3
    /// At most this many pieces of one term are looked up: any subset is still a necessary condition,
    /// and a long term's first pieces already narrow as much as all of them.
    public static let maxPiecesPerTerm = 24
    /// A document longer than this (in bytes) is not kept: its message is always read by a search. Keeps
    /// one huge text message from filling the index and holding the writer for long.
    public static let maxDocumentBytes = 4 * 1024 * 1024

    /// The distinct three-character pieces (Unicode scalars) of a folded term, in order of first
    /// appearance, at most `maxPiecesPerTerm`; empty when the term is shorter than `pieceLength`.
    public static func trigrams(_ term: [UInt8]) -> [String] {
        let scalars = Array(String(decoding: term, as: UTF8.self).unicodeScalars)
        guard scalars.count >= pieceLength else { return [] }
        var seen: Set<String> = []
        var pieces: [String] = []
        for start in 0...(scalars.count - pieceLength) {
            var piece = String.UnicodeScalarView()
            piece.append(contentsOf: scalars[start..<(start + pieceLength)])
            let text = String(piece)
            if seen.insert(text).inserted {
                pieces.append(text)
                if pieces.count == maxPiecesPerTerm { break }
            }
        }
        return pieces
    }
}
