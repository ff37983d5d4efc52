/// Variables of RFC 5229: named variables per script, globals shared with included scripts (RFC 6609
/// §3.4), match variables ${0}..${9}.
struct SieveVariables {
    var locals: [String: String] = [:]
    /// Match variables as bytes: a capture may end inside a UTF-8 sequence (`?` matches one octet).
    var matches: [[UInt8]] = []
    /// Names declared `global` in this script (lower-cased).
    var globalNames: Set<String> = []

    /// identifier or `global.` identifier; with `forSet` false also a number (match variable) or a
    /// variable of another namespace (`ns.name`, RFC 5229 §3), which no extension here defines, so it
    /// reads as empty (as in Pigeonhole, which only warns about it).
    static func isValidName(_ name: String, forSet: Bool) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 2, parts[0].lowercased() == "global" { return isIdentifier(parts[1]) }
        if !forSet, parts.count > 1 { return parts.allSatisfy(isIdentifier) }
        guard parts.count == 1 else { return false }
        if !forSet, !name.isEmpty, name.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return true }
        return isIdentifier(parts[0])
    }

    static func isIdentifier(_ s: Substring) -> Bool {
        guard let first = s.utf8.first, SieveLexer.isIdentStart(first) else { return false }
        return s.utf8.allSatisfy(SieveLexer.isIdentChar)
    }

    /// The variable names `s` refers to with `${name}`, found as ``SieveRun/expand(_:)`` finds them.
    static func references(in s: String) -> [String] {
        guard s.contains("${") else { return [] }
        let u = Array(s.utf8)
        var out: [String] = []
        var i = 0
        while i < u.count {
            if let (name, end) = reference(u, at: i) {
                out.append(name)
                i = end
            } else {
                i += 1
            }
        }
        return out
    }

    /// The valid variable reference starting at `i` (`${name}`, RFC 5229 §3) and the index after it.
    static func reference(_ u: [UInt8], at i: Int) -> (name: String, end: Int)? {
        guard u[i] == UInt8(ascii: "$"), i + 1 < u.count, u[i + 1] == UInt8(ascii: "{") else { return nil }
        var j = i + 2
        while j < u.count, u[j] != UInt8(ascii: "}"), u[j] != UInt8(ascii: "$"), j - i < 64 { j += 1 }
        guard j < u.count, u[j] == UInt8(ascii: "}") else { return nil }
        let name = String(decoding: u[(i + 2)..<j], as: UTF8.self)
        return isValidName(name, forSet: false) ? (name, j + 1) : nil
    }

    static func truncated(_ s: String) -> String {
        guard s.utf8.count > SieveLimits.maxVariableSize else { return s }
        var out = ""
        var size = 0
        for c in s.unicodeScalars {
            size += String(c).utf8.count
            if size > SieveLimits.maxVariableSize { break }
            out.unicodeScalars.append(c)
        }
        return out
    }
}

/// The part of the interpreter that reads and writes variables.
extension SieveRun {
    /// `${name}` substitution (RFC 5229 §3): unknown variables are empty, malformed references stay. The
    /// result is put together as bytes, so match variables that split a character join up again; bytes
    /// that still are not UTF-8 read as U+FFFD.
    func expand(_ s: String) -> String {
        guard usesVariables, s.contains("${") else { return s }
        let u = Array(s.utf8)
        var out: [UInt8] = []
        var i = 0
        while i < u.count {
            if let (name, end) = SieveVariables.reference(u, at: i) {
                out += readBytes(name)
                i = end
                continue
            }
            out.append(u[i])
            i += 1
        }
        return SieveVariables.truncated(String(decoding: out, as: UTF8.self))
    }

    func read(_ name: String) -> String { String(decoding: readBytes(name), as: UTF8.self) }

    func readBytes(_ name: String) -> [UInt8] {
        let lower = name.lowercased()
        if let n = Int(lower) { return n < vars.matches.count ? vars.matches[n] : [] }
        let namespaced = lower.split(separator: ".", omittingEmptySubsequences: false)
        if namespaced.count > 1 {
            guard namespaced.count == 2, namespaced[0] == "global" else { return [] }
            return Array((globals[String(namespaced[1])] ?? "").utf8)
        }
        if vars.globalNames.contains(lower) { return Array((globals[lower] ?? "").utf8) }
        return Array((vars.locals[lower] ?? "").utf8)
    }

    mutating func write(_ name: String, _ value: String) throws(SieveRuntimeError) {
        let lower = name.lowercased()
        let v = SieveVariables.truncated(value)
        if lower.hasPrefix("global.") {
            globals[String(lower.dropFirst(7))] = v
        } else if vars.globalNames.contains(lower) {
            globals[lower] = v
        } else {
            guard vars.locals[lower] != nil || vars.locals.count < SieveLimits.maxVariables else {
                throw SieveRuntimeError("more than \(SieveLimits.maxVariables) variables")
            }
            vars.locals[lower] = v
        }
    }

    /// RFC 5229 §4.1: modifiers apply in precedence order :lower/:upper, :lowerfirst/:upperfirst,
    /// :quotewildcard, :length. Case changes touch ASCII letters only, as Pigeonhole's do (§4.1 names
    /// no character set).
    static func modify(_ value: String, _ call: SieveCall) -> String {
        var v = value
        if call.has("lower") { v = asciiCase(v, upper: false) }
        if call.has("upper") { v = asciiCase(v, upper: true) }
        if call.has("lowerfirst"), let f = v.first { v = asciiCase(String(f), upper: false) + v.dropFirst() }
        if call.has("upperfirst"), let f = v.first { v = asciiCase(String(f), upper: true) + v.dropFirst() }
        if call.has("quotewildcard") {
            var q = ""
            for c in v {
                if c == "*" || c == "?" || c == "\\" { q.append("\\") }
                q.append(c)
            }
            v = q
        }
        if call.has("length") { v = String(v.count) }
        return v
    }

    static func asciiCase(_ s: String, upper: Bool) -> String {
        var out = String.UnicodeScalarView()
        for c in s.unicodeScalars {
            if upper, c.value >= 0x61, c.value <= 0x7A {
                out.append(Unicode.Scalar(c.value - 32)!)
            } else if !upper, c.value >= 0x41, c.value <= 0x5A {
                out.append(Unicode.Scalar(c.value + 32)!)
            } else {
                out.append(c)
            }
        }
        return String(out)
    }
}
