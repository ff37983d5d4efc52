import Foundation
import MailStore
import ManageSieve
import NIOCore
import Testing

@testable import PosternServer

/// The ManageSieve keys of the config file and flags, every refusal, and the script checker that stands
/// in until the Sieve compiler is plugged in.
@Suite struct ManageSieveSettingsTests {
    func apply(_ text: String) throws -> ServerConfiguration {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("postern-\(UUID().uuidString).toml")
        try Data(text.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        var configuration = ServerConfiguration(dataDirectory: URL(fileURLWithPath: "/tmp/x"))
        try configuration.apply(tomlFile: url.path)
        return configuration
    }

    @Test func defaults() {
        let settings = ManageSieveSettings()
        #expect(settings.listeners == [ListenerAddress(kind: .managesieve, host: "127.0.0.1", port: 4190)])
        #expect(settings.limits == ManageSieveLimits())
    }

    @Test func fileSetsListenersAndQuotas() throws {
        let configuration = try apply(
            """
            managesieve = ["127.0.0.1:14190", "[::1]:14190"]
            managesieve_tls = "127.0.0.1:15190"
            sieve_max_script_size = 1000
            sieve_max_scripts = 3
            """)
        let settings = configuration.manageSieve
        #expect(
            settings.listeners.map { "\($0.kind.rawValue) \($0)" } == [
                "managesieve 127.0.0.1:14190", "managesieve [::1]:14190", "managesieve-tls 127.0.0.1:15190",
            ])
        #expect(settings.limits.maxScriptSize == 1000 && settings.limits.maxScripts == 3)
        #expect(configuration.listeners.allSatisfy { $0.kind == .imaps || $0.kind == .imap }, "IMAP's own")
    }

    @Test(arguments: ["managesieve = \"\"", "managesieve = \"off\"", "managesieve = []"])
    func off(_ line: String) throws {
        #expect(try apply(line).manageSieve.listeners.isEmpty)
    }

    @Test(arguments: [
        "managesieve = 4190", "managesieve = [4190]", "managesieve = \"4190\"", "managesieve_tls = \"host:\"",
        "sieve_max_script_size = 0", "sieve_max_script_size = \"64K\"", "sieve_max_script_size = 1048577",
        "sieve_max_scripts = 0", "sieve_max_scripts = 10001", "sieve_max_scripts = true",
    ])
    func refusals(_ line: String) {
        #expect(throws: ServerError.self) { try apply(line) }
    }

    @Test func largestValuesAreTaken() throws {
        let limits = try apply("sieve_max_script_size = 1048576\nsieve_max_scripts = 10000").manageSieve.limits
        #expect(limits.maxScriptSize == SieveScriptName.Limits.maxSourceSize && limits.maxScripts == 10_000)
    }

    @Test func flagValues() throws {
        #expect(try ManageSieveSettings.parse(["", " ", "off"], kind: .managesieve).isEmpty)
        let parsed = try ManageSieveSettings.parse(["127.0.0.1:0"], kind: .managesieveTLS)
        #expect(parsed == [ListenerAddress(kind: .managesieveTLS, host: "127.0.0.1", port: 0)])
        #expect(throws: ServerError.self) { try ManageSieveSettings.parse(["nope"], kind: .managesieve) }
        var settings = ManageSieveSettings()
        settings.replace(.managesieveTLS, with: parsed)
        settings.replace(.managesieve, with: [])
        #expect(settings.listeners == parsed)
        settings.replace(.managesieve, with: nil)
        #expect(settings.listeners == parsed, "nil leaves them")
    }

    @Test func bindErrorNamesTheFlag() {
        let address = ListenerAddress(kind: .managesieveTLS, host: "0.0.0.0", port: 5190)
        let text = IMAPServer.explainBindError(IOError(errnoCode: EADDRINUSE, reason: "bind"), address: address)
        #expect(text.contains("--managesieve-tls 127.0.0.1:5190"))
    }
}

@Suite struct CompilingScriptCheckerTests {
    let checker = CompilingScriptChecker()

    @Test func acceptsUTF8() {
        #expect(checker.check(Array("require \"fileinto\";\r\n# é ✓ 𝄞\r\nkeep;".utf8)).isEmpty)
        #expect(checker.check([]).isEmpty)
        #expect(!checker.extensions.isEmpty)
    }

    @Test(arguments: [
        ([0xFF], 1, 1), (Array("keep;".utf8) + [0xC3], 1, 6), (Array("a\nbc".utf8) + [0x80], 2, 3),
        (Array("é\n\né".utf8) + [0xE2, 0x82], 3, 2), (Array("x".utf8) + [0xED, 0xA0, 0x80], 1, 2),
    ])
    func namesWhereUTF8Breaks(bytes: [UInt8], line: Int, column: Int) {
        #expect(
            checker.check(bytes) == [ScriptProblem(line: line, column: column, message: "the script is not UTF-8")])
    }

    @Test func compileErrorsNameLineAndColumn() throws {
        let problems = checker.check(Array("require \"fileinto\";\nif true {\n  fileinto \"x\";\n".utf8))
        let first = try #require(problems.first)
        #expect(first.line >= 3 && first.column >= 1 && !first.isWarning)
        #expect(!checker.check(Array("frobnicate;".utf8)).isEmpty)
        #expect(checker.extensions.contains("fileinto") && checker.extensions.contains("vacation"))
    }

    @Test func includedScriptsAreNotLookedUpAtUpload() {
        #expect(checker.check(Array("require \"include\";\ninclude \"other\";\n".utf8)).isEmpty)
    }

    @Test func problemText() {
        #expect(ScriptProblem(line: 3, column: 7, message: "missing }").description == "line 3, column 7: missing }")
    }
}
