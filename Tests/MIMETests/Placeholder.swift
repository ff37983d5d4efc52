import Testing
@testable import MIME

@Test func moduleLoads() { #expect(String(describing: MIME.self) == "MIME") }
