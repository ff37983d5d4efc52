import Foundation

/// A store a readiness check can ask whether it takes writes right now (`/health/ready`).
public protocol WritabilityProbe: Sendable {
    /// Returns when the store accepted a write path end to end; throws what failed.
    func probeWritable() async throws
}

extension DurableFiles {
    /// Creates, syncs and removes a small file in `directory` (where a store stages every incoming
    /// message), off the event loop. Throws `.internal` naming what failed.
    public static func probeWritable(directory: URL) async throws {
        try await offLoop {
            let url = directory.appendingPathComponent("health-\(UUID().uuidString).probe")
            defer { try? FileManager.default.removeItem(at: url) }
            do {
                guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                    throw MailStoreError.internal("cannot create a file in \(directory.path)")
                }
                let handle = try FileHandle(forWritingTo: url)
                defer { try? handle.close() }
                try handle.write(contentsOf: Data("probe\n".utf8))
                try handle.synchronize()
            } catch let error as MailStoreError {
                throw error
            } catch {
                throw MailStoreError.internal("cannot write a file in \(directory.path): \(error)")
            }
        }
    }
}
