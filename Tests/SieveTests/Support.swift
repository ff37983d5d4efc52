import Sieve

/// A plain message with a few headers; `extra` goes first in the header.
func testMessage(_ extra: String = "", body: String = "Hello there.\r\n") -> SieveMessage {
    let text =
        extra + "From: Bob <bob+lists@example.com>\r\nTo: alice@example.org, carol@example.net\r\n"
        + "Subject: Weekly report\r\nDate: Sat, 5 Dec 2026 10:30:00 +0100\r\nMessage-ID: <m1@example.com>\r\n\r\n"
        + body
    return SieveMessage(bytes: Array(text.utf8))
}

let testEnvelope = SieveEnvelope(from: "bob+lists@example.com", to: "alice+sieve@example.org")

/// Compiles and runs `script`; a compile error fails the calling test through `throws`.
func run(
    _ script: String, _ message: SieveMessage = testMessage(), envelope: SieveEnvelope = testEnvelope,
    environment: SieveEnvironment = SieveEnvironment(), resolver: SieveIncludeResolver? = nil
) throws -> SieveResult {
    let program = try Sieve.compile(source: Array(script.utf8), includeResolver: resolver)
    return SieveInterpreter.run(program, message: message, envelope: envelope, environment: environment)
}

/// The canonical JSON of running `script` (or of its compile error).
func json(
    _ script: String, _ message: SieveMessage = testMessage(), environment: SieveEnvironment = SieveEnvironment()
) -> String {
    guard let program = try? Sieve.compile(source: Array(script.utf8)) else { return SieveOutput.json(nil) }
    return SieveOutput.json(
        SieveInterpreter.run(program, message: message, envelope: testEnvelope, environment: environment))
}

/// The first compile error of `script`.
func compileError(_ script: String) -> SieveCompileError? {
    Sieve.validate(source: Array(script.utf8)).first
}

/// Whether the test expression `test` holds (run as `if TEST { discard; }`).
func holds(
    _ test: String, require: [String] = [], _ message: SieveMessage = testMessage(),
    environment: SieveEnvironment = SieveEnvironment()
) throws -> Bool {
    let req = require.isEmpty ? "" : "require [" + require.map { "\"\($0)\"" }.joined(separator: ", ") + "];\n"
    let result = try run(req + "if \(test) { discard; }", message, environment: environment)
    return result.actions.contains(.discard)
}

func store(_ mailbox: String, _ flags: [String] = []) -> SieveAction {
    .store(mailbox: mailbox, flags: flags, create: false, mailboxID: nil, copy: false)
}
