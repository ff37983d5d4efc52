import Foundation
import MailStore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The embedded default's first start in a data folder: the account `postmaster` with a generated
/// password (printed once by the caller) and a welcome message in its INBOX that says how to connect a
/// client, unless the folder already has accounts (made with `postern user add` before the first
/// `postern serve`), which are then left as they are.
///
/// The first start is done once `finish` has written the marker `.first-start-done`, which the caller
/// does after it has printed the outcome; until then every start runs `prepare` again. An earlier start
/// may have ended after it made `postmaster` and before the password was shown (its welcome message
/// failed, the process was killed, the power went): `prepare` then recognises the account as its own
/// and sets a new password to print. It recognises it by `.first-start-pending`, written before the
/// account is made: SHA-256 digests of the SCRAM stored keys of the passwords it set. An account
/// `postmaster` whose stored key has none of these digests was made (or its password changed) by
/// hand, and is not touched.
public enum FirstStart {
    public enum Outcome: Sendable, Equatable {
        /// The account `postmaster` was made now, with this password and the welcome message.
        case madePostmaster(password: String)
        /// An earlier first start made `postmaster` but did not finish, so its password may never
        /// have been shown: it was set anew to this one, and the welcome message added if missing.
        case resumedPostmaster(password: String)
        /// The data folder already had these accounts: no account was made, none was changed.
        case accountsExisted([String])

        /// What `postern serve` prints: the account made and its password (shown only this once), or
        /// that the data folder already had accounts; `certificates` are the data folder's self-signed
        /// certificates when they are the ones in use.
        public func report(dataDirectory: URL, certificates: [URL]) -> String {
            var out: String
            switch self {
            case .madePostmaster:
                out = "Postern made its data folder at \(dataDirectory.path).\n"
            case .resumedPostmaster:
                out =
                    "Postern set up its data folder at \(dataDirectory.path) (an earlier first start did not finish).\n"
            case .accountsExisted:
                out = "Postern set up its data folder at \(dataDirectory.path).\n"
            }
            for certificate in certificates {
                out += "TLS: self-signed certificate made for this data folder: \(certificate.path)\n"
            }
            switch self {
            case .madePostmaster(let password), .resumedPostmaster(let password):
                out += "First account (the password is shown only this once):\n"
                out += "  user:     \(FirstStart.accountName)\n"
                out += "  password: \(password)\n"
            case .accountsExisted(let names):
                let shown = names.prefix(5).joined(separator: ", ") + (names.count > 5 ? ", ..." : "")
                out += "Accounts already exist (\(names.count): \(shown)): no postmaster account was made.\n"
            }
            return out
        }
    }

    public static let accountName = "postmaster"
    static let markerName = ".first-start-done"
    static let pendingName = ".first-start-pending"

    /// True once a first start finished in this data folder.
    public static func isDone(_ dataDirectory: URL) -> Bool {
        FileManager.default.fileExists(atPath: dataDirectory.appendingPathComponent(markerName).path)
    }

    /// Makes (or completes) the first account. Run on every start until `finish`.
    public static func prepare(
        store: any MailStore & AccountStore, configuration: ServerConfiguration
    ) async throws -> Outcome {
        let dataDirectory = configuration.dataDirectory
        let pending = readPending(dataDirectory)
        if let found = try await store.credentials(accountName: accountName), pending.contains(digest(found.1)) {
            let account = found.0
            let password = PasswordHasher.generatePassword()
            let renewed = try PasswordHasher().makeCredentials(password: password)
            // Recorded before it is set, so that the account stays recognised whichever step a
            // crash interrupts.
            try writePending(pending.union([digest(renewed)]), dataDirectory)
            try await store.setCredentials(accountName: accountName, credentials: renewed)
            try await addWelcomeMessageIfEmpty(store: store, account: account, configuration: configuration)
            return .resumedPostmaster(password: password)
        }
        let existing = try await store.listAccounts()
        if !existing.isEmpty {
            return .accountsExisted(existing.map(\.name))
        }
        let made: (account: AccountID, password: String)
        do {
            made = try await makePostmaster(store: store, dataDirectory: dataDirectory)
        } catch MailStoreError.accountExists {
            // Another node on the same database made it first (they started together).
            return .accountsExisted(try await store.listAccounts().map(\.name))
        }
        let (account, password) = made
        try await addWelcomeMessageIfEmpty(store: store, account: account, configuration: configuration)
        return .madePostmaster(password: password)
    }

    /// Records that the first start is done (once its outcome was printed): later starts skip it.
    public static func finish(_ dataDirectory: URL) throws {
        try DurableFiles.writeAtomically([], to: dataDirectory.appendingPathComponent(markerName), mode: 0o600)
        if unlink(dataDirectory.appendingPathComponent(pendingName).path) == 0 {
            try DurableFiles.syncDirectory(dataDirectory.path)
        }
    }

    /// The account `postmaster` with a new password, its digest recorded first.
    static func makePostmaster(
        store: any MailStore & AccountStore, dataDirectory: URL
    ) async throws -> (AccountID, String) {
        let password = PasswordHasher.generatePassword()
        let credentials = try PasswordHasher().makeCredentials(password: password)
        try writePending([digest(credentials)], dataDirectory)
        let account = try await store.createAccount(name: accountName, credentials: credentials)
        return (account, password)
    }

    private static func addWelcomeMessageIfEmpty(
        store: any MailStore & AccountStore, account: AccountID, configuration: ServerConfiguration
    ) async throws {
        guard let inbox = try await store.mailbox(account: account, name: "INBOX"),
            try await store.status(account: account, mailbox: inbox.id).messages == 0
        else { return }
        let message = welcomeMessage(configuration: configuration, date: Date())
        let writer = try store.stageMessage(maxSize: configuration.maxMessageSize)
        try writer.write(Array(message.utf8))
        let staged = try writer.finish()
        _ = try await store.append(
            account: account, mailbox: inbox.id, message: staged, flags: MessageFlags(), internalDate: Date())
    }

    static func digest(_ credentials: StoredCredentials) -> String {
        PasswordHasher.sha256(credentials.storedKey).map { String(format: "%02x", $0) }.joined()
    }

    static func readPending(_ dataDirectory: URL) -> Set<String> {
        let url = dataDirectory.appendingPathComponent(pendingName)
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return Set(text.split(separator: "\n").map(String.init))
    }

    private static func writePending(_ digests: Set<String>, _ dataDirectory: URL) throws {
        let text = digests.sorted().map { $0 + "\n" }.joined()
        try DurableFiles.writeAtomically(
            Array(text.utf8), to: dataDirectory.appendingPathComponent(pendingName), mode: 0o600)
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
