import Foundation

/// What a file looks like from outside: a replaced or rewritten file changes at least one of these (an
/// atomic rename changes the inode). Watchers of configuration files (certificates, JWKS) compare
/// stamps instead of reading the files.
public struct FileStamp: Equatable, Sendable {
    public var modified: Date?
    public var size: Int?
    public var inode: Int?

    /// nil for a file that cannot be looked at (missing): its return is a change too.
    public init?(path: String) {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
        modified = attributes[.modificationDate] as? Date
        size = (attributes[.size] as? NSNumber)?.intValue
        inode = (attributes[.systemFileNumber] as? NSNumber)?.intValue
    }
}
