import Foundation
import IMAPSession
import MailStore
import ManageSieve

/// The script commands of an authenticated session (RFC 5804 §2.5-§2.12), on the account's scripts
/// in the store.
extension ManageSieveSession {
    func scripts(_ command: ManageSieveCommand, account: AccountID) async {
        do {
            switch command {
            case .haveSpace(let name, let size):  // §2.5
                try SieveScriptName.validate(name)
                guard size <= limits.maxScriptSize else { throw SieveScriptError.scriptTooLarge }
                let existing = try await services.store.sieveScripts(account: account)
                if !existing.contains(where: { $0.name == name }) && existing.count >= limits.maxScripts {
                    throw SieveScriptError.tooManyScripts
                }
                output += ok("Putscript would succeed")
            case .putScript(let name, let source):  // §2.6
                try SieveScriptName.validate(name)
                guard source.count <= limits.maxScriptSize else { throw SieveScriptError.scriptTooLarge }
                guard let warnings = checked(source) else { return }
                try await services.store.putSieveScript(
                    account: account, name: name, source: source, maxScripts: limits.maxScripts)
                logger.info("sieve script stored", metadata: ["script": "\(IMAPSession.loggable(name))"])
                output += warnings
            case .checkScript(let source):  // §2.12
                guard source.count <= limits.maxScriptSize else { throw SieveScriptError.scriptTooLarge }
                guard let warnings = checked(source) else { return }
                output += warnings
            case .listScripts:  // §2.7
                for script in try await services.store.sieveScripts(account: account) {
                    output += ManageSieveResponse.scriptLine(script.name, active: script.isActive)
                }
                output += ok("Listscripts completed")
            case .setActive(let name):  // §2.8
                try await services.store.setActiveSieveScript(account: account, name: name.isEmpty ? nil : name)
                output += ok(name.isEmpty ? "No script is active" : "Script activated")
            case .getScript(let name):  // §2.9
                guard let source = try await services.store.sieveScript(account: account, name: name) else {
                    throw SieveScriptError.scriptNotFound
                }
                output += ManageSieveResponse.script(source) + ok("Getscript completed")
            case .deleteScript(let name):  // §2.10
                try await services.store.deleteSieveScript(account: account, name: name)
                output += ok("Script deleted")
            case .renameScript(let from, let to):  // §2.11.1
                try await services.store.renameSieveScript(account: account, from: from, to: to)
                output += ok("Script renamed")
            default:
                output += ManageSieveResponse.final(.no, text: "Unexpected command")
            }
        } catch let error as SieveScriptError {
            output += Self.answer(error, limits: limits)
        } catch {
            logger.error("sieve script storage failed", metadata: ["error": "\(error)"])
            output += ManageSieveResponse.final(.no, code: .tryLater, text: "Temporary failure, try again later")
        }
    }

    static func answer(_ error: SieveScriptError, limits: ManageSieveLimits) -> [UInt8] {
        switch error {
        case .scriptNotFound:
            ManageSieveResponse.final(.no, code: .nonexistent, text: "There is no script of that name")
        case .scriptExists: ManageSieveResponse.final(.no, code: .alreadyExists, text: "A script of that name exists")
        case .scriptActive: ManageSieveResponse.final(.no, code: .active, text: "The active script cannot be deleted")
        case .invalidName(let why): ManageSieveResponse.final(.no, text: "Invalid script name: \(why)")
        case .tooManyScripts:
            ManageSieveResponse.final(
                .no, code: .quotaMaxScripts, text: "At most \(limits.maxScripts) scripts per account")
        case .scriptTooLarge:
            ManageSieveResponse.final(
                .no, code: .quotaMaxSize, text: "Larger than the \(limits.maxScriptSize) octets a script may have")
        }
    }

    /// Runs the checker: nil (after answering NO with the problems) for a script with errors, else the
    /// OK to give, with WARNINGS and their text when there are any.
    private func checked(_ source: [UInt8]) -> [UInt8]? {
        let problems = services.checker.check(source)
        let errors = problems.filter { !$0.isWarning }
        if !errors.isEmpty {
            output += ManageSieveResponse.final(.no, text: errors.map(\.description).joined(separator: "\r\n"))
            return nil
        }
        guard !problems.isEmpty else { return ok() }
        return ManageSieveResponse.final(
            .ok, code: .warnings, text: problems.map(\.description).joined(separator: "\r\n"))
    }
}
