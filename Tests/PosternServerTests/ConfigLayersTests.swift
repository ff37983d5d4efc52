import Configuration
import Foundation
import Testing

@testable import PosternServer

/// The configuration layer: precedence of flags, environment, file and defaults; the file line in every
/// problem; every problem listed; secrets masked.
@Suite struct ConfigLayersTests {
    static let path = "test.toml"

    func layers(
        _ text: String?, environment: [String: String] = [:], flags: [String: (ConfigContent, String)] = [:]
    ) throws -> ConfigLayers {
        let file = try text.map { try TOMLFileProvider(path: Self.path, text: $0) }
        return ConfigLayers(file: file, environment: environment, flags: flags)
    }

    /// Every problem, one line each, or [] when the configuration is valid.
    func problems(
        _ text: String, environment: [String: String] = [:], flags: [String: (ConfigContent, String)] = [:]
    ) throws -> [String] {
        let (settings, problems) = try layers(text, environment: environment, flags: flags).resolve()
        var all = problems.map(\.description)
        if problems.isEmpty {
            do throws(ConfigProblems) {
                _ = try ConfigLayers.configuration(settings)
            } catch {
                all += error.problems.map(\.description)
            }
        } else {
            all += ConfigLayers.check(settings).map(\.description)
        }
        return all
    }

    func setting(_ name: String, in layers: ConfigLayers) -> ConfigSetting? {
        layers.resolve().settings.first { $0.name == name }
    }

    @Test func precedenceIsFlagThenEnvironmentThenFileThenDefault() throws {
        let file = "log_level = \"warning\"\n"
        let environment = ["POSTERN_LOG_LEVEL": "error"]
        let flags: [String: (ConfigContent, String)] = ["log_level": (.string("debug"), "--log-level")]

        let all = try layers(file, environment: environment, flags: flags)
        #expect(setting("log_level", in: all)?.content == .string("debug"))
        #expect(setting("log_level", in: all)?.origin == .flag("--log-level"))

        let noFlag = try layers(file, environment: environment)
        #expect(setting("log_level", in: noFlag)?.content == .string("error"))
        #expect(setting("log_level", in: noFlag)?.origin == .environment("POSTERN_LOG_LEVEL"))

        let fileOnly = try layers(file)
        #expect(setting("log_level", in: fileOnly)?.content == .string("warning"))
        #expect(setting("log_level", in: fileOnly)?.origin == .file(path: Self.path, line: 1))

        let none = try layers(nil)
        #expect(setting("log_level", in: none)?.content == nil)
        #expect(setting("log_level", in: none)?.origin == .defaultValue)
        #expect(setting("log_level", in: none)?.shown == "info")
    }

    @Test func environmentValuesAreTyped() throws {
        let environment = [
            "POSTERN_MAX_CONNECTIONS": "7", "POSTERN_SEARCH_INDEX": "true", "POSTERN_IMAPS": "127.0.0.1:1,127.0.0.1:2",
            "POSTERN_LOG_LEVELS_IMAP": "debug", "POSTERN_SIEVE_SPAMTEST_MAX": "5.5", "POSTERN_BIN": "ignored",
            "POSTERN_ADMIN": "",
        ]
        let (settings, problems) = try layers(nil, environment: environment).resolve()
        #expect(problems.isEmpty)
        let configuration = try ConfigLayers.configuration(settings)
        #expect(configuration.connectionPolicy.maxConnections == 7)
        #expect(configuration.searchIndex)
        #expect(configuration.listeners.filter { $0.kind == .imaps }.map(\.port) == [1, 2])
        #expect(configuration.log.level(for: "imap") == .debug)
        #expect(configuration.admin.listener == nil)
    }

    @Test func fileValuesReachTheConfiguration() throws {
        let text = """
            max_connections = 9
            trusted_networks = ["10.0.0.0/8"]
            default_quota_storage = 1024
            [log.levels]
            store = "trace"
            [sieve]
            before = "/etc/before.sieve"
            [aliases]
            sales = ["alice", "bob"]
            "info@example.com" = "carol"
            """
        let (settings, problems) = try layers(text).resolve()
        #expect(problems.isEmpty)
        let configuration = try ConfigLayers.configuration(settings)
        #expect(configuration.connectionPolicy.maxConnections == 9)
        #expect(configuration.connectionPolicy.allowList.count == 1)
        #expect(configuration.defaultQuota.storageBytes == 1024)
        #expect(configuration.log.level(for: "store") == .trace)
        #expect(configuration.sieve.before == ["/etc/before.sieve"])
        #expect(settings.contains { $0.name == "aliases.sales" && $0.origin == .file(path: Self.path, line: 9) })
        #expect(settings.contains { $0.name == "aliases.info@example.com" })
    }

    @Test(arguments: [
        ("max_connections = \"x\"", "test.toml:1: max_connections: expected an integer 1-1000000"),
        ("\n\nmax_connections = 0", "test.toml:3: max_connections: expected an integer 1-1000000"),
        ("idle_keepalive = 0", "test.toml:1: idle_keepalive: expected an integer >= 1"),
        ("search_index = 1", "test.toml:1: search_index: expected true or false"),
        ("imap_port = 143", "test.toml:1: unknown key 'imap_port'"),
        ("[log]\ncolour = true", "test.toml:2: unknown key 'colour' in [log]"),
        ("[log.levels]\nsmtp = \"debug\"", "test.toml:2: unknown log subsystem 'smtp'"),
        ("[log.levels]\nimap = \"loud\"", "test.toml:2: log.levels.imap: unknown log level 'loud'"),
        ("log = 3", "test.toml:1: log: expected a table"),
        ("[sieve]\nspamtest_type = \"colour\"", "test.toml:2: sieve.spamtest_type: expected one of score"),
        ("[sieve]\nspamtest_max = -1", "test.toml:2: sieve.spamtest_max: expected a positive number"),
        ("admin_allow = [\"ten\"]", "test.toml:1: config admin_allow: 'ten' is not a network"),
        ("imaps = [1, 2]", "test.toml:1: imaps: expected \"HOST:PORT\""),
        ("imaps = \"nowhere\"", "test.toml:1: imaps 'nowhere': expected HOST:PORT"),
        ("admin = 9100", "test.toml:1: admin: expected \"HOST:PORT\" or \"off\""),
        ("host_name = 2024-01-01", "test.toml:1: host_name: expected a string"),
        ("default_quota_storage = \"lots\"", "test.toml:1: config default_quota_storage: expected a size"),
        ("[aliases]\nsales = 3", "test.toml:2: aliases.sales: expected an account or an array of accounts"),
        ("log_format = \"xml\"", "test.toml:1: log_format: unknown log format 'xml'"),
        ("proxy_protocol_imaps = [\"0.0.0.0:993\"]", "proxy_protocol needs proxy_trusted"),
        ("imaps = \"off\"\nimap = \"off\"", "every listener is off"),
    ])
    func eachProblemNamesItsPlaceAndKey(text: String, expected: String) throws {
        let found = try problems(text)
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.hasPrefix(expected) == true, "\(found)")
    }

    @Test func everyProblemIsListed() throws {
        let text = """
            max_connections = 0
            nonsense = 1
            search_index = "yes"
            [log.levels]
            imap = "loud"
            """
        let found = try problems(text, environment: ["POSTERN_IDLE_KEEPALIVE": "soon"])
        #expect(found.count == 5, "\(found)")
        #expect(found.contains("POSTERN_IDLE_KEEPALIVE: idle_keepalive: expected an integer >= 1"))
        #expect(found.contains("test.toml:2: unknown key 'nonsense'"))
    }

    @Test func flagProblemsNameTheFlag() throws {
        let found = try problems("", flags: ["imaps": (.stringArray(["x"]), "--imaps")])
        #expect(found.first?.hasPrefix("--imaps: imaps 'x': expected HOST:PORT") == true, "\(found)")
    }

    @Test func syntaxErrorsGiveTheirLine() {
        #expect {
            _ = try TOMLFileProvider(path: Self.path, text: "a = 1\nb = [\n")
        } throws: { error in
            (error as? ConfigProblem)?.place?.hasPrefix("test.toml:") == true
                && (error as? ConfigProblem)?.message.hasPrefix("not valid TOML") == true
        }
    }

    @Test func secretsAreMasked() throws {
        let all = try layers("store = \"postgresql://u:hunter2@db.example/mail\"\n")
        let store = try #require(setting("store", in: all))
        #expect(store.shown == "\"postgresql://u:********@db.example/mail\"")
        #expect(ConfigSetting.mask("\"token\"") == "\"********\"")
        #expect(ConfigSetting.mask("\"postgresql://u@db/mail\"") == "\"postgresql://u@db/mail\"")
        let provider = try #require(all.file)
        #expect(try provider.value(forKey: ["store"], type: .string).value?.isSecret == true)
    }

    @Test func everyKeyIsDocumentedOnceAndHasAnEnvironmentName() {
        let names = ConfigKeys.all.map(\.name)
        #expect(Set(names).count == names.count)
        for spec in ConfigKeys.all {
            #expect(!spec.summary.isEmpty)
            if spec.type == .table {
                #expect(spec.environmentName == nil)
            } else {
                #expect(spec.environmentName?.hasPrefix("POSTERN_") == true)
            }
        }
        #expect(ConfigKeys.spec("sieve.relay")?.environmentName == "POSTERN_SIEVE_RELAY")
        #expect(ConfigKeys.all.filter(\.reloadable).map(\.name).contains("max_connections"))
    }

    @Test func keyLinesFollowTablesQuotesAndMultilineValues() {
        let text = """
            # comment
            a = 1
            "quoted key" = 2
            b = \"\"\"
            c = not a key
            \"\"\"
            d = [
              "e = f",
            ]
            [sieve]
            relay = "smtp://h"
            [log . levels]
            imap = "debug"
            site.name = 3
            """
        let lines = TOMLKeyLines.scan(text)
        #expect(lines["a"] == 2)
        #expect(lines["quoted key"] == 3)
        #expect(lines["b"] == 4)
        #expect(lines["c"] == nil)
        #expect(lines["d"] == 7)
        #expect(lines["e = f"] == nil)
        #expect(lines["sieve.relay"] == 11)
        #expect(lines["log.levels.imap"] == 13)
        #expect(lines["log.levels.site.name"] == 14)
    }
}
