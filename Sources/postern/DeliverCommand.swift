import ArgumentParser
import Delivery
import Foundation
import Logging
import MailStore
import PosternServer

/// `postern deliver`: one message from standard input into a mailbox, for an MTA's pipe transport.
/// The same delivery as LMTP (recipient rules from the config file, trace headers, quota, durable
/// before exit 0); a server running on the data folder shows the message to its sessions at once.
struct Deliver: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Deliver one message from standard input (for an MTA's pipe transport).",
        discussion: """
            Exit status (sysexits): 0 delivered, 67 no such user, 73 over quota or too large, 75 temporary
            failure (the MTA retries), 64 bad arguments. Line ends are made CRLF; a leading mbox 'From '
            line is dropped. A folder (-m, or +detail in the recipient) that does not exist means INBOX.
            """
    )

    /// sysexits.h
    enum Status {
        static let usage: Int32 = 64
        static let noUser: Int32 = 67
        static let cannotCreate: Int32 = 73
        static let temporaryFailure: Int32 = 75
        /// EX_NOPERM: the account's Sieve script rejected the message; the MTA bounces it with the reason.
        static let rejected: Int32 = 77
    }

    @OptionGroup var data: StoreOptions

    @Option(
        name: .customShort("r"),
        help: "The recipient: an account name or address (user, user@domain, user+folder@domain).")
    var recipient: String

    @Option(name: .customShort("m"), help: "The folder to deliver to (default INBOX, or the recipient's +detail).")
    var folder: String?

    @Option(
        name: .customShort("f"),
        help: "The envelope sender, for Return-Path (default: from a leading 'From ' line, else <>).")
    var sender: String?

    func run() async throws {
        let configuration = try data.configuration(status: Status.usage)
        // A mistyped folder must not become a new, empty store that knows no users (a permanent bounce):
        // the MTA keeps the message and tries again once the folder is right.
        let database = configuration.dataDirectory.appendingPathComponent("postern.sqlite").path
        guard configuration.store != nil || FileManager.default.fileExists(atPath: database) else {
            throw CommandFailure(
                message: "no Postern data folder at \(configuration.dataDirectory.path)",
                status: Status.temporaryFailure)
        }
        try await withStore(configuration, status: Status.temporaryFailure, usage: Status.usage) { store in
            try await deliver(into: store, configuration: configuration)
        }
    }

    private func deliver(into store: any MailStore & AccountStore, configuration: ServerConfiguration) async throws {
        var logger = Logger(label: "postern")
        logger.logLevel = .warning
        let deliverer: Deliverer
        do {
            deliverer = try DeliverySetup.deliverer(configuration: configuration, store: store, logger: logger)
        } catch let error as ServerError {
            throw CommandFailure(message: error.description, status: Status.temporaryFailure)
        }
        let (local, domain) = Self.split(recipient)
        let targets: [DeliveryTarget]
        switch await deliverer.resolve(localPart: local, domain: domain, folder: folder) {
        case .targets(let found): targets = found
        case .noSuchUser: throw CommandFailure(message: "no such user: \(recipient)", status: Status.noUser)
        case .foreignDomain:
            throw CommandFailure(message: "not a domain of this server: \(recipient)", status: Status.noUser)
        case .temporaryFailure:
            throw CommandFailure(message: "cannot look up \(recipient) now", status: Status.temporaryFailure)
        }
        let outcome = try await deliver(deliverer, targets: targets)
        switch outcome {
        case .delivered: return
        case .overQuota:
            throw CommandFailure(message: "\(recipient): mailbox full (over quota)", status: Status.cannotCreate)
        case .tooLarge:
            throw CommandFailure(
                message: "message larger than max_message_size (\(configuration.maxMessageSize) bytes)",
                status: Status.cannotCreate)
        case .noSuchUser: throw CommandFailure(message: "no such user: \(recipient)", status: Status.noUser)
        case .temporaryFailure:
            throw CommandFailure(message: "temporary failure, try again later", status: Status.temporaryFailure)
        case .rejected(let reason):
            throw CommandFailure(message: "rejected: \(reason)", status: Status.rejected)
        }
    }

    /// `user@domain` at the last `@`; a bare name has no domain.
    static func split(_ address: String) -> (String, String?) {
        let trimmed = address.trimmingCharacters(in: CharacterSet(charactersIn: "<> \t"))
        guard let at = trimmed.lastIndex(of: "@") else { return (trimmed, nil) }
        return (String(trimmed[..<at]), String(trimmed[trimmed.index(after: at)...]))
    }

    private func deliver(_ deliverer: Deliverer, targets: [DeliveryTarget]) async throws -> DeliveryOutcome {
        var input = StandardInputMessage()
        let first = input.firstLine()
        let trace = TraceHeaders(sender: sender ?? first.sender, hostName: deliverer.hostName, received: nil)
        let message: IncomingMessage
        do {
            message = try deliverer.begin(recipients: [(recipient, targets)], trace: trace)
        } catch {
            throw CommandFailure(message: "cannot stage the message: \(error)", status: Status.temporaryFailure)
        }
        message.write(first.kept)
        while let chunk = input.next() { message.write(chunk) }
        if input.failed {
            message.abort()
            throw CommandFailure(message: "cannot read standard input", status: Status.temporaryFailure)
        }
        return await message.finish().first ?? .temporaryFailure
    }
}

/// Standard input as message bytes with CRLF line ends (a bare LF becomes CRLF).
struct StandardInputMessage {
    private var previous: UInt8 = 0
    private var pending: [UInt8] = []
    private(set) var failed = false

    /// The first line: dropped when it is an mbox `From ` line (whose address is returned), else kept.
    mutating func firstLine() -> (sender: String?, kept: [UInt8]) {
        var line: [UInt8] = []
        while true {
            if pending.isEmpty {
                guard let chunk = read() else { break }
                pending = chunk
            }
            if let lf = pending.firstIndex(of: 10) {
                line += pending[...lf]
                pending.removeSubrange(...lf)
                break
            }
            line += pending
            pending = []
            if line.count > 4096 { break }
        }
        if line.starts(with: Array("From ".utf8)) {
            let words = String(decoding: line, as: UTF8.self).split(separator: " ")
            return (words.count > 1 ? String(words[1]) : nil, [])
        }
        return (nil, normalise(line))
    }

    mutating func next() -> [UInt8]? {
        if !pending.isEmpty {
            defer { pending = [] }
            return normalise(pending)
        }
        return read().map { normalise($0) }
    }

    private mutating func read() -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { Foundation.read(0, $0.baseAddress, $0.count) }
            if n > 0 { return Array(buffer[..<n]) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { failed = true }
            return nil
        }
    }

    private mutating func normalise(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 32)
        for byte in bytes {
            if byte == 10 && previous != 13 { out.append(13) }
            out.append(byte)
            previous = byte
        }
        return out
    }
}
