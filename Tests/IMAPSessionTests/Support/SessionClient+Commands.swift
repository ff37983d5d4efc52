import Foundation

extension SessionClient {
    /// Sends one command line and returns the response lines up to its tagged response (or all lines,
    /// when the session ended or asked for more input).
    @discardableResult
    func command(_ line: String) async -> [String] {
        await send(line + "\r\n")
        return lines().map(\.text)
    }

    /// APPENDs a small message to `mailbox` (a non-synchronizing literal).
    @discardableResult
    func append(_ mailbox: String, _ message: String, flags: String = "", tag: String = "A") async -> [String] {
        let flagList = flags.isEmpty ? "" : "(\(flags)) "
        await send("\(tag) APPEND \(mailbox) \(flagList){\(message.utf8.count)+}\r\n\(message)\r\n")
        return lines().map(\.text)
    }

    static func message(_ subject: String) -> String {
        "From: a@example.org\r\nSubject: \(subject)\r\n\r\nBody of \(subject).\r\n"
    }
}
