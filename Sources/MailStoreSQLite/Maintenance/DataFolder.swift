import Foundation
import MailStore

/// An existing data folder of the embedded engine, as backup and check find it.
struct DataFolder {
    let url: URL
    let blobs: BlobFiles

    var databasePath: String { url.appendingPathComponent(StoreBackup.databaseName).path }

    /// Refuses a path that is missing, not a folder, or a folder without a Postern database.
    init(_ url: URL) throws {
        guard FileOperations.exists(url.path) else {
            throw MaintenanceError.input("no data folder at \(url.path)")
        }
        guard FileOperations.isDirectory(url.path) else {
            throw MaintenanceError.input("\(url.path) is not a folder")
        }
        guard FileOperations.regularFileSize(url.appendingPathComponent(StoreBackup.databaseName).path) != nil else {
            throw MaintenanceError.input("\(url.path) is not a Postern data folder (no postern.sqlite)")
        }
        self.url = url
        blobs = BlobFiles(root: url.appendingPathComponent("blobs", isDirectory: true))
    }

    /// The regular files directly in `<data>/<folder>`, sorted.
    static func stateFiles(in data: URL, folder: String) -> [String] {
        let path = data.appendingPathComponent(folder).path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { !$0.hasSuffix(".tmp") && FileOperations.regularFileSize("\(path)/\($0)") != nil }
            .sorted()
    }
}

/// The content file ids in a `blobs` folder (`<shard>/<id>`, the id starting with its shard).
enum BlobListing {
    static func ids(in blobsPath: String) throws -> Set<String> {
        Set(BlobFiles(root: URL(fileURLWithPath: blobsPath, isDirectory: true)).allIDs())
    }
}
