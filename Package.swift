// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Postern",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "postern", targets: ["postern"]),
        .executable(name: "FuzzIMAPParse", targets: ["FuzzIMAPParse"]),
        .executable(name: "FuzzMIMEParse", targets: ["FuzzMIMEParse"]),
        .executable(name: "FuzzSASLParse", targets: ["FuzzSASLParse"]),
        .executable(name: "FuzzClientHello", targets: ["FuzzClientHello"]),
        .executable(name: "FuzzLMTPParse", targets: ["FuzzLMTPParse"]),
        .executable(name: "FuzzSieveParse", targets: ["FuzzSieveParse"]),
        .executable(name: "FuzzManageSieveParse", targets: ["FuzzManageSieveParse"]),
        .executable(name: "FuzzProxyParse", targets: ["FuzzProxyParse"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", exact: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates", exact: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "4.5.2"),
        .package(url: "https://github.com/apple/swift-asn1", exact: "1.7.4"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", exact: "0.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/vapor/jwt-kit", exact: "5.8.0"),
        .package(url: "https://github.com/vapor/postgres-nio", exact: "1.33.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/apple/swift-metrics", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
        .package(url: "https://github.com/apple/swift-http-types", exact: "1.8.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio", exact: "1.5.0"),
        .package(url: "https://github.com/apple/swift-configuration", exact: "1.4.0"),
        .package(url: "https://github.com/apple/swift-openapi-runtime", exact: "1.13.4"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird", exact: "2.1.0"),
    ],
    targets: [
        // Grammar types, incremental command parser, response encoder. Pure: only NIOCore.
        .target(
            name: "IMAPWire",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")]
        ),
        // RFC 5322/2045-2049/2047/2231: headers, addresses, envelope, body structure, sections, decoding.
        // No dependency on IMAP or storage.
        .target(name: "MIME"),
        // The storage protocol and domain types.
        .target(
            name: "MailStore",
            dependencies: [
                "SASL",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        // An IMAP client for migration: bounded response framing and parsing, TLS (implicit or STARTTLS), login.
        .target(
            name: "IMAPClient",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(
            name: "IMAPClientTests",
            dependencies: ["IMAPClient", .product(name: "NIOCore", package: "swift-nio")]
        ),
        // Outgoing mail through an SMTP relay (Sieve redirect and vacation replies).
        .target(
            name: "MailRelay",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "MailRelayTests",
            dependencies: [
                "MailRelay", "SMTPTestServer", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // The embedded engine: GRDB metadata + content files.
        .target(
            name: "MailStoreSQLite",
            dependencies: [
                "MailStore", "Telemetry",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The shared engine for several nodes: PostgreSQL through a postgres-nio connection pool; metadata
        // and chunked message content in the database.
        .target(
            name: "MailStorePostgres",
            dependencies: [
                "MailStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "_ConnectionPoolModule", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // A complete engine in memory: for tests, and the reference the conformance suite holds others to.
        .target(name: "MailStoreMemory", dependencies: ["MailStore"]),

        // Import and export formats: Maildir (Maildir++ and Dovecot's fs layout, dovecot-keywords,
        // subscriptions), mbox (mboxrd/mboxo/mboxcl2) and directories of message files. Pure: files in,
        // files out; the CLI moves messages between them and the store.
        .target(
            name: "MailTransfer",
            dependencies: ["MailStore", "IMAPWire", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .testTarget(name: "MailTransferTests", dependencies: ["MailTransfer", "MailStore", "IMAPWire"]),
        .target(name: "Defences"),
        // The server's metric families and their closed label sets (swift-metrics API only).
        .target(name: "Telemetry", dependencies: [.product(name: "CoreMetrics", package: "swift-metrics")]),
        // Reads a TLS ClientHello's offer to pick the certificate to serve (ECDSA or RSA). Pure.
        .target(name: "TLSClientHello"),
        .testTarget(name: "TLSClientHelloTests", dependencies: ["TLSClientHello", "FuzzClientHelloCheck"]),
        // SASL mechanisms as pure state machines (PLAIN, LOGIN, SCRAM-SHA-256[-PLUS], OAUTHBEARER,
        // XOAUTH2, EXTERNAL).
        .target(name: "SASL", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // Bearer tokens for OAUTHBEARER and XOAUTH2: JWTs checked against the keys of a JWKS file.
        .target(
            name: "BearerTokens",
            dependencies: [
                "SASL", "MailStore",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "SASLTests",
            dependencies: [
                "SASL", "MailStore", "FuzzSASLParseCheck", "BearerTokens",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .testTarget(name: "DefencesTests", dependencies: ["Defences"]),
        // Sieve (RFC 5228 and extensions): parse, validate, execute against a message. Pure: only MIME.
        .target(name: "Sieve", dependencies: ["MIME"]),
        .testTarget(name: "SieveTests", dependencies: ["Sieve", "MIME", "FuzzSieveParseCheck"]),
        // LMTP (RFC 2033) as pure parsing and sequencing: commands, paths, replies, DATA framing.
        .target(name: "LMTP"),
        .testTarget(
            name: "LMTPTests",
            dependencies: [
                "LMTP", "Delivery", "MailStore", "MailStoreMemory", "MailStoreSQLite", "MailStoreConformance",
                "FuzzLMTPParseCheck", "MIME", "MailRelay", "SMTPTestServer", .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // ManageSieve (RFC 5804) as pure parsing and encoding: command lines with literals, responses.
        .target(name: "ManageSieve"),
        .testTarget(name: "ManageSieveTests", dependencies: ["ManageSieve", "FuzzManageSieveParseCheck"]),
        // Delivery into the store (LMTP and `postern deliver`): recipient rules, trace headers, copies.
        .target(
            name: "Delivery",
            dependencies: [
                "MailStore", "IMAPSession", "MIME", "MailRelay", "Sieve", .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Per-connection state machine and command handlers. Never touches a Channel.
        .target(
            name: "IMAPSession",
            dependencies: [
                "IMAPWire", "MailStore", "MIME", "Defences", "SASL", "Telemetry",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Account administration shared by the CLI and the admin API: the same validation and errors on both.
        .target(name: "Administration", dependencies: ["MailStore"]),
        // The admin HTTP API: the OpenAPI document, the code generated from it (committed, see its README)
        // and the handlers, which call Administration.
        .target(
            name: "PosternAdminAPI",
            dependencies: [
                "Administration", "MailStore",
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            exclude: ["openapi.yaml", "openapi-generator-config.yaml", "README.md"]
        ),
        .testTarget(
            name: "AdminAPITests",
            dependencies: [
                "PosternAdminAPI", "Administration", "MailStore", "MailStoreMemory", "MailStoreSQLite",
                "MailStoreConformance",
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        // Listeners, TLS, STARTTLS, per-connection tasks, config, lifecycle.
        .target(
            name: "PosternServer",
            dependencies: [
                "IMAPWire", "IMAPSession", "Defences", "SASL", "MailStore", "MailStoreSQLite", "MailStorePostgres",
                "BearerTokens", "TLSClientHello", "LMTP", "Delivery", "MailRelay", "Sieve", "ManageSieve", "Telemetry",
                "PosternAdminAPI", "Administration",
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Configuration", package: "swift-configuration"),
            ]
        ),
        .executableTarget(
            name: "postern",
            dependencies: [
                "PosternServer", "Administration", "MailStore", "MailStoreSQLite", "MailStorePostgres", "Delivery", "MailTransfer", "IMAPClient", "IMAPSession",
                "IMAPWire", "Sieve", "ManageSieve",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The command line's own logic (migration folder names, flags, state log; option parsing).
        .testTarget(name: "PosternCLITests", dependencies: ["postern", "MailStore", "MailStoreMemory", "IMAPClient"]),
        // libFuzzer harnesses (see README, "Fuzzing"): each executable only hands the input to its check
        // library, which the unit tests run over the harness's seed corpus in Tests/Fuzz/Corpus.
        .target(
            name: "FuzzIMAPParseCheck",
            dependencies: ["IMAPWire", .product(name: "NIOCore", package: "swift-nio")]
        ),
        .executableTarget(name: "FuzzIMAPParse", dependencies: ["FuzzIMAPParseCheck"]),
        .target(name: "FuzzMIMEParseCheck", dependencies: ["MIME"]),
        .executableTarget(name: "FuzzMIMEParse", dependencies: ["FuzzMIMEParseCheck"]),
        .target(name: "FuzzSASLParseCheck", dependencies: ["SASL"]),
        .executableTarget(name: "FuzzSASLParse", dependencies: ["FuzzSASLParseCheck"]),
        .target(name: "FuzzClientHelloCheck", dependencies: ["TLSClientHello"]),
        .executableTarget(name: "FuzzClientHello", dependencies: ["FuzzClientHelloCheck"]),
        .target(name: "FuzzLMTPParseCheck", dependencies: ["LMTP"]),
        .executableTarget(name: "FuzzLMTPParse", dependencies: ["FuzzLMTPParseCheck"]),
        .target(name: "FuzzSieveParseCheck", dependencies: ["Sieve"]),
        .executableTarget(name: "FuzzSieveParse", dependencies: ["FuzzSieveParseCheck"]),
        .target(name: "FuzzManageSieveParseCheck", dependencies: ["ManageSieve"]),
        .executableTarget(name: "FuzzManageSieveParse", dependencies: ["FuzzManageSieveParseCheck"]),
        .target(name: "FuzzProxyParseCheck", dependencies: ["Defences"]),
        .executableTarget(name: "FuzzProxyParse", dependencies: ["FuzzProxyParseCheck"]),
        .testTarget(name: "IMAPWireTests", dependencies: ["IMAPWire", "FuzzIMAPParseCheck"]),
        .testTarget(name: "MIMETests", dependencies: ["MIME", "FuzzMIMEParseCheck"]),
        // Test support: a pass-through SQLite VFS that counts writes and syncs per file (durability tests).
        .target(
            name: "SQLiteSyncRecorder",
            dependencies: [.product(name: "GRDBSQLite", package: "GRDB.swift")],
            path: "Tests/Support/SQLiteSyncRecorder"
        ),
        // Test support: a scripted loopback SMTP server standing in for the relay.
        .target(
            name: "SMTPTestServer",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/Support/SMTPTestServer"
        ),
        // Test support: the engine-independent store conformance suite (Swift Testing checks) and its helpers.
        .target(
            name: "MailStoreConformance",
            dependencies: ["MailStore"],
            path: "Tests/Support/MailStoreConformance"
        ),
        // Every conformance check on every engine.
        .testTarget(
            name: "MailStoreConformanceTests",
            dependencies: [
                "MailStore", "MailStoreConformance", "MailStoreMemory", "MailStoreSQLite", "MailStorePostgres",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "MailStorePostgresTests",
            dependencies: ["MailStorePostgres", "MailStore", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "MailStoreMemoryTests", dependencies: ["MailStore", "MailStoreConformance", "MailStoreMemory"]),
        .testTarget(
            name: "MailStoreSQLiteTests",
            dependencies: [
                "MailStore", "MailStoreConformance", "MailStoreSQLite", "SQLiteSyncRecorder",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "IMAPSessionTests",
            dependencies: [
                "IMAPSession", "IMAPWire", "MailStore", "MailStoreSQLite", "MailStoreMemory", "MIME", "Defences",
                "SASL",
            ]
        ),
        .testTarget(
            name: "PosternServerTests",
            dependencies: [
                "PosternServer", "MailStoreSQLite", "BearerTokens", "MailRelay", "ManageSieve", "MailStore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                "IMAPSession", "IMAPWire", "TLSClientHello", "FuzzClientHelloCheck", "LMTP", "Delivery", "Defences",
                "FuzzProxyParseCheck",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Configuration", package: "swift-configuration"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
