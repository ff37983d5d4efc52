import Foundation
import MailStore

/// The embedded default's first start: the account `postmaster` with a generated password (printed once
/// by the caller) and a welcome message in its INBOX that says how to connect a client.
public enum FirstStart {
    public struct Result: Sendable {
        public var user: String
        public var password: String
    }

    public static let accountName = "postmaster"
    static let markerName = ".first-start-done"

    /// True until the first start has made the postmaster account in this data folder.
    public static func isEmptyDataDirectory(_ dataDirectory: URL) -> Bool {
        !FileManager.default.fileExists(atPath: dataDirectory.appendingPathComponent(markerName).path)
    }

    public static func prepare(store: any MailStore, configuration: ServerConfiguration) async throws -> Result? {
        let marker = configuration.dataDirectory.appendingPathComponent(markerName)
        if try await store.credentials(accountName: accountName) != nil {
            try markDone(marker)
            return nil
        }
        let password = PasswordHasher.generatePassword()
        let account = try await store.createAccount(
            name: accountName, credentials: try PasswordHasher().makeCredentials(password: password))
        if let inbox = try await store.mailbox(account: account, name: "INBOX") {
            let message = welcomeMessage(configuration: configuration, date: Date())
            let writer = try MessageStaging(store: store).begin()
            try writer.write(Array(message.utf8))
            let staged = try writer.finish()
            _ = try await store.append(
                account: account, mailbox: inbox.id, message: staged, flags: MessageFlags(), internalDate: Date())
        }
        try markDone(marker)
        return Result(user: accountName, password: password)
    }

    /// Records that the first start is done, once the account and its welcome message are committed
    /// (a first start that failed is tried again on the next start).
    private static func markDone(_ marker: URL) throws {
        try DurableFiles.writeAtomically([], to: marker, mode: 0o600)
    }

    static func welcomeMessage(configuration: ServerConfiguration, date: Date) -> String {
        let host = configuration.hostName
        let imaps = configuration.listeners.first { $0.kind == .imaps }
        let imap = configuration.listeners.first { $0.kind == .imap }
        var lines: [String] = [
            "From: Postern <postmaster@\(host)>",
            "To: postmaster@\(host)",
            "Subject: Welcome to Postern",
            "Date: \(rfc5322Date(date))",
            "Message-ID: <welcome.\(Int(date.timeIntervalSince1970))@\(host)>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
            "",
            "Welcome to Postern, your IMAP server.",
            "",
            "To read this mailbox from a mail client, add an IMAP account with:",
            "",
            "  Server:    \(host)",
        ]
        if let imaps {
            lines.append("  Port:      \(imaps.port) with SSL/TLS (implicit TLS, recommended)")
        }
        if let imap {
            lines.append("  or port:   \(imap.port) with STARTTLS")
        }
        lines += [
            "  User name: postmaster (the password was printed when the server first started)",
            "",
            "The certificate is self-signed: your client will ask you to trust it. Compare its",
            "SHA-256 fingerprint with the one 'postern serve' prints, or use your own certificate",
            "with --tls-cert and --tls-key.",
            "",
            "More accounts: postern user add NAME",
            "Quick test:    curl --insecure 'imaps://localhost/INBOX;UID=1' -u postmaster:PASSWORD",
            "",
        ]
        return lines.joined(separator: "\r\n")
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}
