import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The few file-system questions the readers ask, answered with one `stat` each.
enum FileSystem {
    struct Entry {
        var isDirectory: Bool
        var isRegular: Bool
        var size: Int
        /// Modification time, whole seconds since 1970.
        var modified: Int
    }

    static func entry(_ path: String) -> Entry? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let type = info.st_mode & S_IFMT
        return Entry(
            isDirectory: type == S_IFDIR, isRegular: type == S_IFREG, size: Int(info.st_size),
            modified: Int(info.st_mtim.tv_sec))
    }

    static func isDirectory(_ url: URL) -> Bool { entry(url.path)?.isDirectory ?? false }

    /// Names in a directory, sorted, without hidden ones; throws `.unreadable` with the reason.
    static func names(in url: URL) throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: url.path).filter { !$0.hasPrefix(".") }.sorted()
        } catch {
            throw TransferError.unreadable(url.path, SourceMessage.reason(error))
        }
    }

    /// Every name in a directory (hidden ones too), sorted.
    static func allNames(in url: URL) throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
        } catch {
            throw TransferError.unreadable(url.path, SourceMessage.reason(error))
        }
    }

    /// Checks that `url` exists and is a directory.
    static func requireDirectory(_ url: URL) throws {
        guard let entry = entry(url.path) else { throw TransferError.notFound(url.path) }
        guard entry.isDirectory else { throw TransferError.notADirectory(url.path) }
    }
}
