extension SieveValidator {
    /// Follows which variable names a script uses as local variables, in script order, and refuses a
    /// `global` declaration (RFC 6609 §3.4) of a name already used locally, as Pigeonhole refuses it: the
    /// name would stand for two variables in one script. Uses are `set` targets, flag variables and
    /// `${name}` references.
    mutating func trackVariables(_ call: SieveCall, _ node: SieveNode) throws(SieveCompileError) {
        guard requires.contains("variables") else { return }
        if call.name == "global" {
            for name in call.arg(0) {
                let lower = name.lowercased()
                if localUses.contains(lower), !globalNames.contains(lower) {
                    throw SieveCompileError(
                        line: node.line, column: node.column,
                        "global variable \"\(name)\" is declared after its use as a local variable")
                }
                globalNames.insert(lower)
            }
            return
        }
        var names: [String] = []
        switch call.name {
        case "set": names.append(call.argString(0))
        case "setflag", "addflag", "removeflag", "hasflag":
            if let name = call.positional.first??.strings.first { names.append(name) }
        default: break
        }
        for value in Array(call.tags.values) + call.positional.compactMap({ $0 }) {
            for s in value.strings { names += SieveVariables.references(in: s) }
        }
        for name in names where !name.contains(".") {
            let lower = name.lowercased()
            if !globalNames.contains(lower) { localUses.insert(lower) }
        }
    }
}
