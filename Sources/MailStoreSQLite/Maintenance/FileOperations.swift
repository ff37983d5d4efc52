import Crypto
import Foundation
import MailStore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// File work shared by backup, restore and check: hashing, copying with fsync, hard links.
enum FileOperations {
    /// Bytes read or copied per system call.
    static let chunkSize = 1 << 20

    /// The file's size and SHA-256 (lower-case hex).
    static func digest(path: String) throws -> (size: Int, sha256: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw MaintenanceError.io("cannot open \(path): \(errnoText())") }
        defer { close(fd) }
        var hasher = SHA256()
        var size = 0
        try readChunks(fd, path: path) { chunk in
            hasher.update(bufferPointer: chunk)
            size += chunk.count
        }
        return (size, hex(hasher.finalize()))
    }

    /// Calls `body` with successive chunks of the file open at `fd` until its end. The buffer is
    /// sized to the file (up to `chunkSize`) and not zeroed: most message files are a few kilobytes.
    static func readChunks(_ fd: Int32, path: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        var info = stat()
        let known = fstat(fd, &info) == 0 ? Int(info.st_size) : chunkSize
        let capacity = min(chunkSize, max(known, 0) + 1)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer.baseAddress!, capacity)
            if n < 0 {
                if errno == EINTR { continue }
                throw MaintenanceError.io("cannot read \(path): \(errnoText())")
            }
            if n == 0 { return }
            try body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in digest {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// How `placeFile` put a file at its destination.
    enum Placement {
        case linked, copied
        /// The source does not exist (ENOENT).
        case sourceMissing
    }

    /// Puts a file at `destination` (which must not exist): a hard link when `allowLink` and the
    /// file system allows it, else a copy written to a temporary name, fsynced and renamed. The
    /// caller fsyncs the destination's directory.
    static func placeFile(from source: String, to destination: String, allowLink: Bool) throws -> Placement {
        if allowLink {
            if link(source, destination) == 0 { return .linked }
            switch errno {
            case ENOENT where !exists(source): return .sourceMissing
            case EXDEV, EPERM, EMLINK, EACCES: break
            default: throw MaintenanceError.io("cannot link \(source) to \(destination): \(errnoText())")
            }
        }
        let input = open(source, O_RDONLY | O_CLOEXEC)
        if input < 0 {
            if errno == ENOENT { return .sourceMissing }
            throw MaintenanceError.io("cannot open \(source): \(errnoText())")
        }
        defer { close(input) }
        try copy(from: input, sourcePath: source, to: destination)
        return .copied
    }

    /// Copies an open file to `destination` through `destination.partial`, fsynced, then renamed.
    static func copy(from input: Int32, sourcePath: String, to destination: String) throws {
        let temporary = destination + ".partial"
        unlink(temporary)
        let output = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard output >= 0 else { throw MaintenanceError.io("cannot create \(temporary): \(errnoText())") }
        do {
            defer { close(output) }
            try readChunks(input, path: sourcePath) { chunk in
                try DurableFiles.writeAll(chunk, to: output, path: temporary)
            }
            guard fsync(output) == 0 else { throw MaintenanceError.io("cannot fsync \(temporary): \(errnoText())") }
            guard rename(temporary, destination) == 0 else {
                throw MaintenanceError.io("cannot rename \(temporary): \(errnoText())")
            }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Copies the file at `source` to `destination` (fsynced; the caller fsyncs the directory).
    static func copyFile(from source: String, to destination: String) throws {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw MaintenanceError.io("cannot open \(source): \(errnoText())") }
        defer { close(input) }
        try copy(from: input, sourcePath: source, to: destination)
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// The size of a regular file, nil when there is none at `path`.
    static func regularFileSize(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int(info.st_size)
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    static func makeDirectory(_ path: String) throws {
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw MaintenanceError.io("cannot create \(path): \(errnoText())")
        }
    }

    static func syncDirectory(_ path: String) throws {
        do {
            try DurableFiles.syncDirectory(path)
        } catch {
            throw MaintenanceError.io("cannot fsync \(path): \(error)")
        }
    }

    static func errnoText(_ code: Int32 = errno) -> String {
        String(cString: strerror(code))
    }
}

/// Why a backup, restore, verify or check could not run (one line each, for the CLI).
public enum MaintenanceError: Error, CustomStringConvertible, Equatable {
    /// Bad input: a path that is not what the command needs.
    case input(String)
    /// A read, write or database failure.
    case io(String)

    public var description: String {
        switch self {
        case .input(let message), .io(let message): message
        }
    }
}
