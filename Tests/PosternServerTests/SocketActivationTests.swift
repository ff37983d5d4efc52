import Testing

@testable import PosternServer

/// `LISTEN_PID`, `LISTEN_FDS` and `LISTEN_FDNAMES` (sd_listen_fds), and which listener takes which socket.
@Suite struct SocketActivationTests {
    @Test func socketsStartAtThreeWithTheirNames() {
        let sockets = SocketActivation.parse(pid: "42", count: "3", names: "imaps:imap", ownPID: 42)
        #expect(sockets.map(\.0) == [3, 4, 5])
        #expect(sockets.map(\.1) == ["imaps", "imap", "unknown"])
    }

    @Test(
        arguments: [
            (nil, "2"), ("41", "2"), ("x", "2"), ("42", nil), ("42", "0"), ("42", "-1"), ("42", "two"),
            ("42", String(SocketActivation.maximumSockets + 1)),
        ] as [(String?, String?)])
    func noSocketsUnlessTheVariablesAreForThisProcess(pid: String?, count: String?) {
        #expect(SocketActivation.parse(pid: pid, count: count, names: nil, ownPID: 42).isEmpty)
    }

    @Test func theMostSocketsAreTaken() {
        let count = String(SocketActivation.maximumSockets)
        #expect(SocketActivation.parse(pid: "7", count: count, names: nil, ownPID: 7).count == 64)
    }

    @Test func listenersTakeSocketsByNameThenByAddress() {
        let activation = SocketActivation(sockets: [
            .init(descriptor: 3, name: "imap", host: "127.0.0.1", port: 1143),
            .init(descriptor: 4, name: "unknown", host: "127.0.0.1", port: 1993),
        ])
        #expect(activation.take(kind: "imap", host: "0.0.0.0", port: 143) == 3)
        #expect(activation.take(kind: "imaps", host: "127.0.0.1", port: 993) == nil)
        #expect(activation.take(kind: "imaps", host: "127.0.0.1", port: 1993) == 4)
        #expect(activation.take(kind: "imap", host: "0.0.0.0", port: 143) == nil)
        #expect(activation.isEmpty)
    }
}
