import Foundation
import MailStore
import Testing

@testable import IMAPSession

/// QUOTA (RFC 9208) in the session: the account's root "", OVERQUOTA at APPEND and COPY, SETQUOTA by
/// administrators only, STATUS DELETED-STORAGE.
@Suite struct SessionQuotaTests {
    /// A session of `user`, who may set quotas when `admin`.
    func client(_ environment: SessionEnvironment, _ user: String, admin: Bool = false) async -> SessionClient {
        var configuration = environment.configuration()
        if admin { configuration.quotaAdmins = [user.lowercased()] }
        let client = await SessionClient(configuration: configuration)
        _ = client.lines()
        let password = user == SessionEnvironment.user2 ? SessionEnvironment.password2 : SessionEnvironment.password
        #expect(await client.command("L LOGIN \(user) \"\(password)\"").last?.hasPrefix("L OK") == true)
        return client
    }

    @Test(arguments: Engine.allCases)
    func rootsAndLimits(_ engine: Engine) async throws {
        let environment = try await SessionEnvironment(engine: engine)
        let alice = await client(environment, SessionEnvironment.user)
        #expect(
            await alice.command("c CAPABILITY").first?.contains(" QUOTA QUOTA=RES-STORAGE QUOTA=RES-MESSAGE QUOTASET")
                == true)
        // No limit: no quota root.
        #expect(await alice.command("r GETQUOTAROOT INBOX") == ["* QUOTAROOT INBOX", "r OK GETQUOTAROOT completed"])
        #expect(await alice.command("q GETQUOTA \"\"").last?.hasPrefix("q NO [NONEXISTENT]") == true)
        #expect(await alice.command("m GETQUOTAROOT Nowhere").last?.hasPrefix("m NO [NONEXISTENT]") == true)

        let text = SessionClient.message("one")
        #expect(await alice.append("INBOX", text).last?.hasPrefix("A OK") == true)
        try await environment.store.setDefaultQuota(QuotaLimits(storageBytes: 10 * 1024, messages: 2))
        let used = (text.utf8.count + 1023) / 1024
        #expect(
            await alice.command("r GETQUOTAROOT Sent") == [
                "* QUOTAROOT Sent \"\"", "* QUOTA \"\" (STORAGE \(used) 10 MESSAGE 1 2)",
                "r OK GETQUOTAROOT completed",
            ])
        #expect(await alice.command("q GETQUOTA \"\"").first == "* QUOTA \"\" (STORAGE \(used) 10 MESSAGE 1 2)")
        #expect(await alice.command("o GETQUOTA bob").last?.hasPrefix("o NO [NONEXISTENT]") == true)

        // The second message fits, the third does not, nor does a copy.
        #expect(await alice.append("INBOX", SessionClient.message("two")).last?.hasPrefix("A OK") == true)
        #expect(
            await alice.append("INBOX", SessionClient.message("three"), tag: "B").last
                == "B NO [OVERQUOTA] Over quota: delete or expunge messages first")
        #expect(await alice.command("s SELECT INBOX").last?.hasPrefix("s OK") == true)
        #expect(await alice.command("k COPY 1 Archive").last?.hasPrefix("k NO [OVERQUOTA]") == true)
        #expect(await alice.command("v MOVE 1 Archive").last?.hasPrefix("v OK") == true)
        #expect(await alice.command("w STATUS INBOX (MESSAGES)").first == "* STATUS INBOX (MESSAGES 1)")

        // Not an administrator.
        #expect(await alice.command("x SETQUOTA \"\" (STORAGE 100)").last?.hasPrefix("x NO [NOPERM]") == true)
        await alice.disconnect()
    }

    @Test(arguments: Engine.allCases)
    func administratorsSetQuotas(_ engine: Engine) async throws {
        let environment = try await SessionEnvironment(engine: engine)
        let admin = await client(environment, SessionEnvironment.user, admin: true)
        #expect(
            await admin.command("a SETQUOTA \"\" (STORAGE 512 MESSAGE 100)") == [
                "* QUOTA \"\" (STORAGE 0 512 MESSAGE 0 100)", "a OK SETQUOTA completed",
            ])
        // Another account's root, by its name; the list replaces every limit.
        #expect(
            await admin.command("b SETQUOTA bob (message 1)") == [
                "* QUOTA bob (MESSAGE 0 1)", "b OK SETQUOTA completed",
            ])
        #expect(await admin.command("c SETQUOTA nobody (MESSAGE 1)").last?.hasPrefix("c NO [NONEXISTENT]") == true)
        #expect(await admin.command("d SETQUOTA \"\" (MAILBOX 5)").last?.hasPrefix("d NO [CANNOT]") == true)
        #expect(await admin.command("e SETQUOTA \"\" (STORAGE 1").last?.hasPrefix("e BAD") == true)
        let bob = await client(environment, SessionEnvironment.user2)
        #expect(await bob.append("INBOX", SessionClient.message("one")).last?.hasPrefix("A OK") == true)
        #expect(await bob.append("INBOX", SessionClient.message("two")).last?.hasPrefix("A NO [OVERQUOTA]") == true)
        #expect(await admin.command("f GETQUOTA bob").first == "* QUOTA bob (MESSAGE 1 1)")
        // An empty list removes the limits: the root is gone.
        #expect(await admin.command("g SETQUOTA bob ()") == ["g OK SETQUOTA completed"])
        #expect(await bob.append("INBOX", SessionClient.message("two")).last?.hasPrefix("A OK") == true)
        #expect(await bob.command("h GETQUOTAROOT INBOX").first == "* QUOTAROOT INBOX")
        await admin.disconnect()
        await bob.disconnect()
    }

    /// STATUS DELETED-STORAGE (RFC 9208 §4.3) counts what EXPUNGE would free, in 1024-octet units,
    /// also as a LIST-STATUS item.
    @Test(arguments: Engine.allCases)
    func deletedStorage(_ engine: Engine) async throws {
        let environment = try await SessionEnvironment(engine: engine)
        let alice = await client(environment, SessionEnvironment.user)
        let big = SessionClient.message(String(repeating: "x", count: 3000))
        await alice.append("INBOX", big, flags: "\\Deleted")
        await alice.append("INBOX", big)
        let units = (big.utf8.count + 1023) / 1024
        #expect(
            await alice.command("s STATUS INBOX (DELETED DELETED-STORAGE)").first
                == "* STATUS INBOX (DELETED 1 DELETED-STORAGE \(units))")
        let listed = await alice.command("l LIST \"\" INBOX RETURN (STATUS (DELETED-STORAGE))")
        #expect(listed.contains("* STATUS INBOX (DELETED-STORAGE \(units))"), "\(listed)")
        await alice.disconnect()
    }
}
