import NIOCore

/// store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list / (flag *(SP flag)))
public struct StoreAction: Sendable, Hashable {
    public enum Mode: Sendable, Hashable {
        case replace, add, remove
    }

    public var mode: Mode
    public var silent: Bool
    public var flags: [Flag]

    public init(mode: Mode, silent: Bool = false, flags: [Flag]) {
        self.mode = mode
        self.silent = silent
        self.flags = flags
    }
}

// MARK: - Encoding

extension ByteBuffer {
    @discardableResult
    public mutating func writeStoreAction(_ action: StoreAction) -> Int {
        let prefix: String
        switch action.mode {
        case .replace: prefix = ""
        case .add: prefix = "+"
        case .remove: prefix = "-"
        }
        return writeString(prefix + "FLAGS" + (action.silent ? ".SILENT " : " ")) + writeFlagList(action.flags)
    }
}
