// swift-tools-version:6.0
// Postern's benchmark instrument: an IMAP load generator on SwiftNIO + NIOSSL.
// A package of its own so that the main package and CI never build it. See README.md.
import PackageDescription

let package = Package(
    name: "PosternBenchmarks",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "imapbench", targets: ["imapbench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", exact: "2.37.6"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
    ],
    targets: [
        .executableTarget(
            name: "imapbench",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
