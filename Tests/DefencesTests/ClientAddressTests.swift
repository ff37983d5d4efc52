import Testing

@testable import Defences

@Suite struct ClientAddressTests {
    @Test(arguments: [
        ("1.2.3.4", "1.2.3.4"), ("::ffff:1.2.3.4", "1.2.3.4"), ("::1", "0:0:0:0:0:0:0:1"),
        ("2001:db8::7", "2001:db8:0:0:0:0:0:7"), ("fe80::1%eth0", "fe80:0:0:0:0:0:0:1"),
        ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"), ("::", "0:0:0:0:0:0:0:0"),
        ("64:ff9b::10.0.0.1", "64:ff9b:0:0:0:0:a00:1"),
    ])
    func parses(text: String, shown: String) throws {
        #expect(try #require(ClientAddress(text)).description == shown)
    }

    @Test(arguments: [
        "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.-4", "::1::2", "1:2:3:4:5:6:7:8:9", "12345::",
        "g::1", "1:2:3:4:5:6:7::8:9", ":", "1.2.3.4/8", "１.2.3.4",
    ])
    func rejects(text: String) {
        #expect(ClientAddress(text) == nil)
    }

    @Test func ipv6IsCountedByItsSlash64AndIPv4Whole() throws {
        let a = try #require(ClientAddress("2001:db8:1:2::1"))
        let b = try #require(ClientAddress("2001:db8:1:2:ffff:ffff:ffff:ffff"))
        let c = try #require(ClientAddress("2001:db8:1:3::1"))
        #expect(a.throttleKey == b.throttleKey && a.throttleKey != c.throttleKey)
        let v4 = try #require(ClientAddress("10.0.0.1"))
        #expect(v4.throttleKey != (try #require(ClientAddress("10.0.0.2"))).throttleKey)
        #expect(v4.throttleKey == (try #require(ClientAddress("::ffff:10.0.0.1"))).throttleKey)
        #expect(v4.throttleKey >> 56 == 0xFF)
        #expect(ClientAddress(bytes: [10, 0, 0, 1]) == v4)
        #expect(ClientAddress(bytes: [1, 2, 3]) == nil)
    }

    @Test func networks() throws {
        let net = try #require(ClientNetwork("10.1.0.0/16"))
        #expect(net.contains(try #require(ClientAddress("10.1.200.3"))))
        #expect(!net.contains(try #require(ClientAddress("10.2.0.1"))))
        #expect(!net.contains(try #require(ClientAddress("2001:db8::1"))))
        let v6 = try #require(ClientNetwork("2001:db8::/33"))
        #expect(v6.contains(try #require(ClientAddress("2001:db8:7fff::1"))))
        #expect(!v6.contains(try #require(ClientAddress("2001:db8:8000::1"))))
        let one = try #require(ClientNetwork("192.0.2.7"))
        #expect(one.contains(try #require(ClientAddress("192.0.2.7"))))
        #expect(!one.contains(try #require(ClientAddress("192.0.2.8"))))
        #expect(try #require(ClientNetwork("0.0.0.0/0")).contains(try #require(ClientAddress("8.8.8.8"))))
        #expect(net.description == "10.1.0.0/16")
        for bad in ["10.0.0.0/33", "::/129", "10.0.0.0/", "x/8", "10.0.0.0/8/8", "10.0.0.0/-1"] {
            #expect(ClientNetwork(bad) == nil, "\(bad)")
        }
    }
}
