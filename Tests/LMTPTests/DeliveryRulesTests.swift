import Delivery
import Foundation
import Testing

@Suite struct DeliveryRulesTests {
    @Test func plainAndDetail() {
        let rules = DeliveryRules()
        #expect(rules.route(localPart: "Alice", domain: "any.test") == .accounts(["Alice"], detail: nil))
        #expect(rules.route(localPart: "alice+lists", domain: "x") == .accounts(["alice"], detail: "lists"))
        #expect(rules.route(localPart: "alice+", domain: "x") == .accounts(["alice"], detail: nil))
        #expect(rules.route(localPart: "alice+a+b", domain: "x") == .accounts(["alice"], detail: "a+b"))
        var noDelimiter = DeliveryRules()
        noDelimiter.recipientDelimiter = ""
        #expect(noDelimiter.route(localPart: "a+b", domain: nil) == .accounts(["a+b"], detail: nil))
    }

    @Test func domains() {
        var rules = DeliveryRules()
        rules.setLocalDomains(["Example.COM"])
        #expect(rules.route(localPart: "a", domain: "example.com") == .accounts(["a"], detail: nil))
        #expect(rules.route(localPart: "a", domain: "EXAMPLE.com") == .accounts(["a"], detail: nil))
        #expect(rules.route(localPart: "a", domain: "other.test") == .foreignDomain)
        #expect(rules.route(localPart: "a", domain: nil) == .accounts(["a"], detail: nil))
    }

    @Test func aliases() {
        var rules = DeliveryRules()
        rules.addAlias("Sales", targets: ["alice", "bob"])
        rules.addAlias("info@one.test", targets: ["carol"])
        #expect(rules.route(localPart: "sales", domain: "x") == .accounts(["alice", "bob"], detail: nil))
        #expect(rules.route(localPart: "SALES+eu", domain: "x") == .accounts(["alice", "bob"], detail: "eu"))
        #expect(rules.route(localPart: "info", domain: "ONE.test") == .accounts(["carol"], detail: nil))
        #expect(rules.route(localPart: "info", domain: "two.test") == .accounts(["info"], detail: nil))
        rules.addAlias("many", targets: (0..<500).map { "u\($0)" })
        guard case .accounts(let names, _) = rules.route(localPart: "many", domain: nil) else {
            Issue.record("alias")
            return
        }
        #expect(names.count == DeliveryRules.maxAliasTargets)
    }

    @Test func traceHeaders() {
        let trace = TraceHeaders(
            sender: "a@b\r\nX-Evil: 1", hostName: "mx.test", received: ("client", "127.0.0.1", "ID1"),
            date: Date(timeIntervalSince1970: 0))
        let text = String(decoding: trace.prefix(recipient: "bob@x"), as: UTF8.self)
        #expect(
            text == "Return-Path: <a@bX-Evil: 1>\r\nDelivered-To: bob@x\r\n"
                + "Received: from client (127.0.0.1)\r\n\tby mx.test (Postern) with LMTP id ID1\r\n"
                + "\tfor <bob@x>; Thu, 01 Jan 1970 00:00:00 +0000\r\n")
        let bare = TraceHeaders(sender: nil, hostName: "h", received: nil)
        #expect(
            String(decoding: bare.prefix(recipient: "u"), as: UTF8.self) == "Return-Path: <>\r\nDelivered-To: u\r\n")
    }
}
