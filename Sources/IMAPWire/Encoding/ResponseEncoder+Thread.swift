import NIOCore

extension ResponseEncoder {
    private enum ThreadStep {
        case open, close
        /// A node and whether a space goes before its number.
        case node(Int, space: Bool)
    }

    /// thread-data = "THREAD" [SP 1*thread-list]   (RFC 5256 §5), written with an explicit stack.
    ///
    /// A node's only child continues the same thread-list (`1 2 3`); two or more children each get
    /// their own thread-list (`1 (2)(3)`). A dummy parent writes no number, so its children's lists
    /// open directly inside its own.
    func writeThread(_ thread: ThreadResponse, into b: inout ByteBuffer) {
        b.writeString("THREAD")
        if !thread.roots.isEmpty { b.writeString(" ") }
        var stack: [ThreadStep] = []
        for root in thread.roots.reversed() { stack += [.close, .node(root, space: false), .open] }
        while let step = stack.popLast() {
            switch step {
            case .open: b.writeString("(")
            case .close: b.writeString(")")
            case .node(let index, let space):
                let node = thread.nodes[index]
                var written = false
                if let number = node.number {
                    b.writeString(space ? " \(number)" : "\(number)")
                    written = true
                }
                if node.children.count == 1 {
                    stack.append(.node(node.children[0], space: written || space))
                } else if !node.children.isEmpty {
                    if written { b.writeString(" ") }
                    for child in node.children.reversed() { stack += [.close, .node(child, space: false), .open] }
                }
            }
        }
    }
}
