/// The values SORT and THREAD compare for one message (its base subject, first addresses, sent date,
/// message ids...), which the layer above derives from the message's header and asks the store to keep,
/// so that a SORT of a big mailbox reads them instead of parsing every message again. Opaque to the
/// store: it keeps them with the message (copies share them where the engine shares content) and
/// returns them; it never reads them.
public struct SortKeyData: Sendable, Equatable {
    /// The version of the code that made them: their maker ignores other versions.
    public var version: Int
    public var data: [UInt8]

    public init(version: Int, data: [UInt8]) {
        self.version = version
        self.data = data
    }
}
