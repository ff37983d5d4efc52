import Crypto
import Foundation
import Logging
import MIME
import MailStore
import Sieve
import Synchronization

/// Runs Sieve at delivery (RFC 5228): the global "before" scripts, the account's active script, the
/// global "after" scripts, each in turn while the previous one left the implicit keep in place (as
/// Pigeonhole's sieve_before/sieve_after do). The result becomes a `FilterDecision` the deliverer
/// applies in one commit.
///
/// Compiled scripts are cached per account and source digest, so a delivery compiles nothing unless the
/// script changed; the account's active script is one store read.
public final class SieveFilter: DeliveryFilter {
    /// Global scripts (before and after the account's), compiled at start.
    public struct GlobalScripts: Sendable {
        public var before: [SieveProgram]
        public var after: [SieveProgram]

        public init(before: [SieveProgram] = [], after: [SieveProgram] = []) {
            self.before = before
            self.after = after
        }
    }

    /// Most compiled programs kept; past it the cache starts again (each entry is one account's script).
    static let maxCachedPrograms = 10_000
    /// How often a script is run again with the duplicate ids it asked about (RFC 7352): each run may ask
    /// about an id the previous one did not (its answers change the way through the script).
    static let maxDuplicateRounds = 3

    let store: any MailStore
    let globals: GlobalScripts
    let globalDirectory: String?
    let spamtest: SieveTestHeaderSettings?
    let virustest: SieveTestHeaderSettings?
    let hostName: String
    let logger: Logger
    private let cache = Mutex<[AccountID: (digest: [UInt8], program: SieveProgram)]>([:])

    public init(
        store: any MailStore, globals: GlobalScripts, globalDirectory: String?, spamtest: SieveTestHeaderSettings?,
        virustest: SieveTestHeaderSettings?, hostName: String, logger: Logger
    ) {
        self.store = store
        self.globals = globals
        self.globalDirectory = globalDirectory
        self.spamtest = spamtest
        self.virustest = virustest
        self.hostName = hostName
        self.logger = logger
    }

    public func decide(_ input: FilterInput) async -> FilterDecision? {
        let active: ActiveSieveScript?
        do {
            active = try await store.activeSieveScript(account: input.account)
        } catch {
            logger.error("sieve: cannot read the active script", metadata: ["error": "\(error)"])
            return nil
        }
        var programs = globals.before
        if let active {
            switch await program(for: input.account, script: active) {
            case .success(let program): programs.append(program)
            case .failure(let error):
                return .keepAfterFailure("script \"\(active.name)\" does not compile: \(error)")
            }
        }
        programs += globals.after
        guard !programs.isEmpty else { return nil }
        let bytes: [UInt8]
        do {
            bytes = try await offLoop { try Deliverer.read(input.message.path) }
        } catch {
            return .keepAfterFailure("cannot read the message")
        }
        let message = SieveMessage(bytes: bytes)
        let envelope = SieveEnvelope(from: input.sender, to: input.recipient)
        // Only `mailboxexists` (RFC 5490 §3.1) asks which folders exist: the list is read for the scripts
        // that have the test (an extra store read per delivery otherwise).
        var mailboxes: Set<String> = []
        if programs.contains(where: { $0.uses("mailboxexists") }) {
            do {
                mailboxes = Set(
                    try await store.listMailboxes(account: input.account).filter { !$0.isNoSelect }.map(\.name))
            } catch {
                return .keepAfterFailure("cannot list the folders")
            }
        }
        let result = await run(programs, message: message, envelope: envelope, mailboxes: mailboxes, input: input)
        if let error = result.runtimeError { return .keepAfterFailure(error) }
        return decision(from: result, message: message, envelope: envelope, input: input)
    }

    /// Runs the scripts in turn; a script that cancels the implicit keep ends the sequence.
    private func run(
        _ programs: [SieveProgram], message: SieveMessage, envelope: SieveEnvelope, mailboxes: Set<String>,
        input: FilterInput
    ) async -> SieveResult {
        var known: [String: Bool] = [:]
        var result = SieveResult()
        for _ in 0..<Self.maxDuplicateRounds {
            let asked = Mutex<Set<String>>([])
            let answers = known
            let environment = SieveEnvironment(
                now: Date().timeIntervalSince1970, localZoneMinutes: TimeZone.current.secondsFromGMT() / 60,
                mailboxExists: { name in
                    mailboxes.contains(name) || (name.uppercased() == "INBOX")
                },
                seen: { id in
                    if let answer = answers[id] { return answer }
                    asked.withLock { _ = $0.insert(id) }
                    return false
                }, spamtest: spamtest, virustest: virustest, userAddresses: [],
                items: ["domain": hostName, "host": hostName, "name": "Postern"])
            result = SieveResult()
            var actions: [SieveAction] = []
            for program in programs {
                let one = SieveInterpreter.run(program, message: message, envelope: envelope, environment: environment)
                if one.runtimeError != nil { return one }
                actions += one.actions
                result.implicitKeep = one.implicitKeep
                if one.implicitKeep == nil { break }
            }
            result.actions = actions
            let new = asked.withLock { $0 }
            guard !new.isEmpty else { break }
            for id in new {
                known[id] =
                    (try? await store.sieveTrackingContains(
                        account: input.account, kind: .duplicate, key: Array(id.utf8), now: Date())) ?? false
            }
        }
        return result
    }

    /// The account's compiled active script, from the cache when its source did not change.
    private func program(
        for account: AccountID, script: ActiveSieveScript
    ) async -> Result<SieveProgram, SieveCompileError> {
        let digest = Array(SHA256.hash(data: script.source))
        if let cached = cache.withLock({ $0[account] }), cached.digest == digest { return .success(cached.program) }
        let personal: [String: [UInt8]]
        if script.source.firstRange(of: Array("include".utf8)) != nil {
            personal = await personalScripts(account)
        } else {
            personal = [:]
        }
        let globalDirectory = self.globalDirectory
        let resolver: SieveIncludeResolver = { name, location in
            switch location {
            case .personal: return personal[name]
            case .global: return globalDirectory.flatMap { Self.scriptFile(named: name, in: $0) }
            }
        }
        do {
            let program = try Sieve.compile(source: script.source, includeResolver: resolver)
            cache.withLock { cache in
                if cache.count >= Self.maxCachedPrograms { cache.removeAll() }
                cache[account] = (digest, program)
            }
            return .success(program)
        } catch {
            return .failure(error)
        }
    }

    /// The included script `NAME.sieve` in `directory` (`include :global`, RFC 6609 §3.2); nil for a name that
    /// could leave the directory.
    public static func scriptFile(named name: String, in directory: String) -> [UInt8]? {
        guard !name.contains("/"), !name.hasPrefix(".") else { return nil }
        return FileManager.default.contents(atPath: "\(directory)/\(name).sieve").map { [UInt8]($0) }
    }

    private func personalScripts(_ account: AccountID) async -> [String: [UInt8]] {
        var scripts: [String: [UInt8]] = [:]
        for info in (try? await store.sieveScripts(account: account)) ?? [] {
            scripts[info.name] = try? await store.sieveScript(account: account, name: info.name)
        }
        return scripts
    }
}
