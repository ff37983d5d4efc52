import ArgumentParser
import Delivery
import Foundation
import PosternServer
import Sieve

/// `postern sieve`: check and try Sieve scripts (RFC 5228) without a server.
struct SieveGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sieve",
        abstract: "Check Sieve scripts, run them against a message, and manage accounts' scripts.",
        subcommands: [
            SieveCheck.self, SieveTest.self, SievePut.self, SieveActivate.self, SieveList.self, SieveGet.self,
            SieveDelete.self,
        ]
    )

    /// sysexits: EX_USAGE, EX_NOINPUT.
    enum Status {
        static let usage: Int32 = 64
        static let noInput: Int32 = 66
    }

    static func read(_ path: String, what: String) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
            let data = FileManager.default.contents(atPath: path)
        else {
            throw CommandFailure(message: "cannot read \(what) \(path)", status: Status.noInput)
        }
        return Array(data)
    }
}

/// `postern sieve check FILE`: `FILE: valid`, or one `FILE:LINE:COLUMN: message` line per error and exit 1.
struct SieveCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Check a Sieve script: prints 'FILE: valid' or FILE:LINE:COLUMN: errors.")

    @Argument(help: "The script.") var file: String

    func run() throws {
        let source = try SieveGroup.read(file, what: "script")
        let errors = Sieve.validate(source: source, includeResolver: SieveTest.resolver(besides: file))
        if errors.isEmpty {
            print("\(file): valid")
            return
        }
        for e in errors {
            print("\(file):\(e.line):\(e.column): \(e.script.map { "in \"\($0)\": " } ?? "")\(e.message)")
        }
        throw ExitCode(1)
    }
}

/// `postern sieve test SCRIPT MESSAGE`: runs the script and lists its actions like Pigeonhole's sieve-test,
/// or prints the canonical JSON result with --json.
struct SieveTest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run a Sieve script against a message and list the actions it takes (nothing is delivered).",
        discussion: """
            Included scripts (RFC 6609) are read from the script's folder, NAME.sieve. With --json the result is
            one JSON object: compile, runtime_error, actions, implicit_keep.
            """)

    @Argument(help: "The script.") var script: String
    @Argument(help: "The message file.") var message: String
    @Option(name: .long, help: "The envelope sender (default: the message's Return-Path or From).")
    var envelopeFrom: String?
    @Option(name: .long, help: "The envelope recipient (default: the message's first To address).")
    var envelopeTo: String?
    @Flag(name: .long, help: "Print the canonical JSON result.") var json = false
    @Option(name: .long, help: "A config file whose [sieve] table configures spamtest and virustest.")
    var config: String?
    @Option(name: .long, help: "A mailbox that exists besides INBOX (mailboxexists); repeat for more.")
    var mailbox: [String] = []
    @Option(
        name: .long,
        help:
            "Where include [:personal] finds NAME.sieve (default: the script's folder; global_dir of --config for :global)."
    )
    var personalDir: String?

    func run() throws {
        let source = try SieveGroup.read(script, what: "script")
        let bytes = try SieveGroup.read(message, what: "message")
        var settings = SieveSettings()
        if let config {
            do {
                settings = try SieveSettings.load(tomlFile: config)
            } catch {
                throw CommandFailure(message: "\(error)", status: SieveGroup.Status.usage)
            }
        }
        let sieveMessage = SieveMessage(bytes: bytes)
        let envelope = SieveEnvelope(
            from: envelopeFrom ?? Self.header(sieveMessage, "return-path") ?? Self.header(sieveMessage, "from") ?? "",
            to: envelopeTo ?? Self.header(sieveMessage, "to") ?? "")
        let mailboxes = Set(mailbox.map { $0.uppercased() == "INBOX" ? "INBOX" : $0 } + ["INBOX"])
        let environment = SieveEnvironment(
            now: Date().timeIntervalSince1970, localZoneMinutes: TimeZone.current.secondsFromGMT() / 60,
            mailboxExists: { mailboxes.contains($0.uppercased() == "INBOX" ? "INBOX" : $0) },
            spamtest: settings.spamtest, virustest: settings.virustest,
            items: ["domain": "localhost", "host": "localhost", "name": "Postern", "phase": "during"])
        let program: SieveProgram
        do {
            program = try Sieve.compile(
                source: source,
                includeResolver: Self.resolver(besides: script, personal: personalDir, global: settings.globalDirectory)
            )
        } catch {
            if json {
                print(SieveOutput.json(nil))
                return
            }
            throw CommandFailure(message: "\(script):\(error.line):\(error.column): \(error.message)", status: 1)
        }
        let result = SieveInterpreter.run(program, message: sieveMessage, envelope: envelope, environment: environment)
        if json {
            print(
                SieveOutput.json(result) { vacation in
                    SieveVacationPolicy.decide(
                        vacation, message: sieveMessage, envelope: envelope, environment: environment)
                        == .send
                })
            return
        }
        var decision: SieveVacationDecision?
        for case .vacation(let v) in result.actions {
            decision = SieveVacationPolicy.decide(
                v, message: sieveMessage, envelope: envelope, environment: environment)
        }
        print(SieveOutput.human(result, vacationDecision: decision), terminator: "")
        // As sieve-test: a script that failed while running exits 1 (the message would be kept).
        if result.runtimeError != nil { throw ExitCode(1) }
    }

    /// The first address of a header field, without angle brackets.
    static func header(_ message: SieveMessage, _ name: String) -> String? {
        guard let raw = message.mime.rawHeaderValues(name).first else { return nil }
        let text = String(decoding: raw, as: UTF8.self)
        if let open = text.firstIndex(of: "<"), let close = text[open...].firstIndex(of: ">") {
            return String(text[text.index(after: open)..<close])
        }
        return text.trimmingCharacters(in: .whitespaces)
    }

    /// Included scripts come from the main script's folder, as NAME.sieve (personal and global alike).
    /// Included scripts as files `NAME.sieve`: personal ones in `personal`, global ones in `global`, each by
    /// default the folder of the script at `path`.
    static func resolver(besides path: String, personal: String? = nil, global: String? = nil) -> SieveIncludeResolver {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let personalFolder = personal ?? folder
        let globalFolder = global ?? folder
        return { name, location in
            SieveFilter.scriptFile(named: name, in: location == .global ? globalFolder : personalFolder)
        }
    }
}
