import Foundation

/// A fresh temporary directory for one test, removed afterwards.
func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("transfer-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url)
}

/// Writes a file (making its directories) with a modification time.
func put(_ text: String, _ url: URL, mtime: Int = 1_600_000_000) throws {
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: url)
    try FileManager.default.setAttributes(
        [.modificationDate: Date(timeIntervalSince1970: Double(mtime))], ofItemAtPath: url.path)
}

func makeDirectories(_ root: URL, _ paths: String...) throws {
    for path in paths {
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent(path), withIntermediateDirectories: true)
    }
}
