import Sieve

/// A property of Sieve compilation or execution that an input broke.
public struct SieveParseCheckFailure: Error, CustomStringConvertible {
    public let description: String
}

/// The body of the FuzzSieveParse harness, also run over its seed corpus by the unit tests.
///
/// The input is a script, or a script, a NUL byte and a message to run it against (otherwise a fixed
/// message is used). No input may trap; compiling it twice gives the same outcome; an error has a
/// line and column inside the script and a one-line message; a compiled script runs to an end against the
/// message (every mailbox exists, nothing was seen before) and its JSON result is one line.
public func checkSieveParseInput(_ bytes: [UInt8]) throws(SieveParseCheckFailure) {
    var script = bytes
    var mail = message
    if let nul = bytes.firstIndex(of: 0) {
        script = Array(bytes[..<nul])
        mail = Array(bytes[(nul + 1)...])
    }
    let first = outcome(script, mail)
    let second = outcome(script, mail)
    guard first.text == second.text else {
        throw SieveParseCheckFailure(description: "compiling twice differed: \(first.text) vs \(second.text)")
    }
    if let error = first.error {
        let lines = script.filter { $0 == 10 }.count + 1
        guard error.line >= 1, error.line <= lines, error.column >= 1 else {
            throw SieveParseCheckFailure(description: "error outside the script (\(lines) lines): \(error)")
        }
        guard !error.message.contains("\n"), !error.message.isEmpty else {
            throw SieveParseCheckFailure(description: "error message is not one line: \(error)")
        }
    }
    guard !first.text.contains("\n") else {
        throw SieveParseCheckFailure(description: "JSON result is not one line: \(first.text)")
    }
}

private let message = Array(
    """
    From: "Bob" <bob+list@example.com>\r
    To: alice@example.org, =?utf-8?q?Caf=C3=A9?= <cafe@example.net>\r
    Subject: =?utf-8?b?SGVsbG8gd29ybGQ=?=\r
    Date: Sat, 5 Dec 2026 10:00:00 +0100\r
    Message-ID: <1@example.com>\r
    X-Spam-Score: 5.5\r
    Content-Type: multipart/mixed; boundary=b\r
    \r
    --b\r
    Content-Type: text/plain\r
    Content-Transfer-Encoding: quoted-printable\r
    \r
    caf=C3=A9 body\r
    --b--\r

    """.utf8)

private func outcome(_ bytes: [UInt8], _ message: [UInt8]) -> (text: String, error: SieveCompileError?) {
    let resolver: SieveIncludeResolver = { name, _ in name == "self" ? bytes : nil }
    do {
        let program = try Sieve.compile(source: bytes, includeResolver: resolver)
        let environment = SieveEnvironment(
            now: 1_780_000_000, mailboxExists: { _ in true }, mailboxIDExists: { _ in true },
            spamtest: SieveTestHeaderSettings(header: "X-Spam-Score", kind: .score, maxValue: 10))
        let result = SieveInterpreter.run(
            program, message: SieveMessage(bytes: message),
            envelope: SieveEnvelope(from: "bob@example.com", to: "alice@example.org"), environment: environment)
        return (SieveOutput.json(result), nil)
    } catch {
        return (error.description, error)
    }
}
