import Foundation

/// A golden transcript of Tests/golden (the format is described in Tests/e2e/test_golden.py, which
/// replays the same files against a live server): `C:` command lines, `L:` lines of a `{{literal}}`,
/// `S:` expected response lines, `@login`/`@postern` headers.
struct GoldenTranscript {
    struct Step {
        var command: String
        var literalLines: [String] = []
        var expected: [String] = []
        var line: Int
    }

    var name: String
    var login: String?
    var steps: [Step] = []

    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("golden")

    static func all() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".txt") }.sorted()
    }

    init(file: String) throws {
        name = String(file.dropLast(4))
        let text = try String(contentsOf: Self.directory.appendingPathComponent(file), encoding: .utf8)
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        for (offset, raw) in lines.enumerated() {
            let line = raw.hasSuffix("\r") ? String(raw.dropLast()) : raw
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            if line.hasPrefix("@") {
                let words = line.dropFirst().split(separator: " ").map(String.init)
                if words.first == "login" { login = words.count > 1 ? words[1] : "user" }
                continue
            }
            let body = line.count > 3 ? String(line.dropFirst(3)) : ""
            if line.hasPrefix("C:") {
                steps.append(Step(command: body, line: offset + 1))
            } else if line.hasPrefix("L:") {
                steps[steps.count - 1].literalLines.append(body)
            } else if line.hasPrefix("S:") {
                steps[steps.count - 1].expected.append(body)
            } else {
                throw GoldenError.syntax("\(file):\(offset + 1): cannot parse \(line)")
            }
        }
    }
}

enum GoldenError: Error {
    case syntax(String)
}

/// The `{{...}}` substitutions and the matching rules of the transcript runner.
struct GoldenVariables {
    var values: [String: String]

    init(transcript: String, user: String, password: String, user2: String, password2: String) {
        let stem = transcript.filter { $0.isASCII && ($0.isLetter || $0.isNumber) }.prefix(20)
        let unique = UUID().uuidString.lowercased().filter(\.isHexDigit).prefix(6)
        values = [
            "user": user, "password": password, "user2": user2, "password2": password2,
            "mbox": "g-\(stem)-\(unique)",
            "plain": Data("\0\(user)\0\(password)".utf8).base64EncodedString(),
            "plain2": Data("\0\(user2)\0\(password2)".utf8).base64EncodedString(),
        ]
    }

    /// Replaces the variables (not `{{*}}`, alternatives or literals).
    func substitute(_ text: String) -> String {
        var out = text
        for name in ["user2", "password2", "plain2", "user", "password", "plain", "mbox"] {
            out = out.replacingOccurrences(of: "{{\(name)}}", with: values[name]!)
        }
        return out
    }

    /// An expected line as a regular expression: `{{*}}` is any text, `{{A|B}}` one alternative.
    func regex(_ pattern: String) throws -> NSRegularExpression {
        var out = ""
        var rest = Substring(pattern)
        while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
            out += NSRegularExpression.escapedPattern(for: String(rest[..<open.lowerBound]))
            let inner = String(rest[open.upperBound..<close.lowerBound])
            if inner == "*" {
                out += ".*"
            } else if inner.contains("|") {
                out +=
                    "(?:"
                    + inner.split(separator: "|", omittingEmptySubsequences: false)
                    .map { NSRegularExpression.escapedPattern(for: String($0)) }.joined(separator: "|") + ")"
            } else {
                out += NSRegularExpression.escapedPattern(for: substitute("{{\(inner)}}"))
            }
            rest = rest[close.upperBound...]
        }
        out += NSRegularExpression.escapedPattern(for: String(rest))
        return try NSRegularExpression(pattern: "^" + out + "$", options: [.dotMatchesLineSeparators])
    }

    /// Flag lists are sets: sorted, without the session-dependent `\Recent`.
    static func canonical(_ line: String) -> String {
        let flags = try! NSRegularExpression(pattern: #"((?<![A-Za-z.])(?:PERMANENT)?FLAGS \()([^()]*)(\))"#)
        var out = line
        for match in flags.matches(in: line, range: NSRange(line.startIndex..., in: line)).reversed() {
            guard let whole = Range(match.range, in: line), let head = Range(match.range(at: 1), in: line),
                let inner = Range(match.range(at: 2), in: line), let tail = Range(match.range(at: 3), in: line)
            else { continue }
            let content = line[inner]
            if content.contains("{{") { continue }
            let tokens = content.split(separator: " ").map(String.init).filter { $0.lowercased() != "\\recent" }
                .sorted { ($0 == "\\*" ? 1 : 0, $0.lowercased()) < ($1 == "\\*" ? 1 : 0, $1.lowercased()) }
            out.replaceSubrange(whole, with: line[head] + tokens.joined(separator: " ") + line[tail])
        }
        return out
    }

    /// Untagged lines in any order; the last line (tagged or `+`) must match the last pattern.
    func matches(expected: [String], actual: [String]) throws -> Bool {
        guard expected.count == actual.count else { return false }
        guard !actual.isEmpty else { return true }
        let patterns = try expected.map { try regex(Self.canonical($0)) }
        let lines = actual.map(Self.canonical)
        guard Self.fullMatch(patterns.last!, lines.last!) else { return false }
        var used = [Bool](repeating: false, count: lines.count - 1)
        func assign(_ index: Int) -> Bool {
            if index == patterns.count - 1 { return true }
            for (candidate, line) in lines.dropLast().enumerated()
            where !used[candidate] && Self.fullMatch(patterns[index], line) {
                used[candidate] = true
                if assign(index + 1) { return true }
                used[candidate] = false
            }
            return false
        }
        return assign(0)
    }

    static func fullMatch(_ regex: NSRegularExpression, _ text: String) -> Bool {
        regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}
