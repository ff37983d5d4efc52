import Testing

@testable import IMAPSession

/// COMPRESS (RFC 4978 §3) as the session answers it; the deflate layer itself is tested with the
/// connection handler (PosternServerTests) and end to end (Tests/e2e/test_compress.py).
@Suite struct SessionCompressTests {
    @Test(arguments: Engine.allCases)
    func deflateOnceThenCompressionActive(_ engine: Engine) async throws {
        let environment = try await SessionEnvironment(engine: engine)
        let client = await environment.client(loggedInAs: SessionEnvironment.user)
        #expect(await client.command("a COMPRESS DEFLATE") == ["a OK DEFLATE active"])
        // The layer stays: a second COMPRESS, selected or not, is refused with the RFC's code.
        #expect(await client.command("b COMPRESS DEFLATE") == ["b NO [COMPRESSIONACTIVE] DEFLATE is already active"])
        #expect(await client.command("s SELECT INBOX").last?.hasPrefix("s OK") == true)
        #expect(await client.command("c COMPRESS DEFLATE").last?.hasPrefix("c NO [COMPRESSIONACTIVE]") == true)
        // ... also after UNAUTHENTICATE, where STARTTLS is no longer possible either.
        #expect(await client.command("u UNAUTHENTICATE").last?.hasPrefix("u OK") == true)
        #expect(await client.command("t STARTTLS").last?.hasPrefix("t BAD") == true)
        await client.disconnect()
    }

    @Test(arguments: Engine.allCases)
    func unknownAlgorithmIsBad(_ engine: Engine) async throws {
        let environment = try await SessionEnvironment(engine: engine)
        let client = await environment.client(loggedInAs: SessionEnvironment.user)
        #expect(await client.command("a COMPRESS X-LZ4") == ["a BAD Unknown compression algorithm (only DEFLATE)"])
        #expect(await client.command("b COMPRESS").last?.hasPrefix("b BAD") == true)
        // A refused algorithm leaves compression off.
        #expect(await client.command("c COMPRESS deflate") == ["c OK DEFLATE active"])
        await client.disconnect()
    }

    @Test func notBeforeLogin() async throws {
        let environment = try await SessionEnvironment(engine: .memory)
        let client = await environment.client()
        #expect(await client.command("a COMPRESS DEFLATE").last?.hasPrefix("a BAD") == true)
        #expect(
            await client.command("b LOGIN \(SessionEnvironment.user) \"\(SessionEnvironment.password)\"").last?
                .hasPrefix("b OK") == true)
        #expect(await client.command("c COMPRESS DEFLATE") == ["c OK DEFLATE active"])
        await client.disconnect()
    }
}
