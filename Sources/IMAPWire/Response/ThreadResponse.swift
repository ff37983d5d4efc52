/// The result of PARTIAL in an ESEARCH response (RFC 9394 §5).
public struct ESearchPartial: Sendable, Hashable {
    /// The range as the command gave it.
    public var range: SearchPartialRange
    /// What the range selected, in result order; nil (written NIL) when it selected nothing.
    public var set: SequenceSet?

    public init(range: SearchPartialRange, set: SequenceSet?) {
        self.range = range
        self.set = set
    }
}

/// The threads of a THREAD answer (RFC 5256 §5) as a flat forest: nodes refer to their children by
/// index, so that a deep thread is neither built nor written nor freed by recursion.
///
///     thread-list    = "(" (thread-members / thread-nested) ")"
///     thread-members = nz-number *(SP nz-number) [SP thread-nested]
///     thread-nested  = 2*thread-list
public struct ThreadResponse: Sendable, Hashable {
    public struct Node: Sendable, Hashable {
        /// The message number, or nil for a dummy parent (a message that is not in the result).
        public var number: UInt32?
        /// Indices into `nodes`, in answer order.
        public var children: [Int]

        public init(number: UInt32?, children: [Int] = []) {
            self.number = number
            self.children = children
        }
    }

    public var nodes: [Node]
    /// The top-level threads, in answer order: indices into `nodes`.
    public var roots: [Int]

    public init(nodes: [Node] = [], roots: [Int] = []) {
        self.nodes = nodes
        self.roots = roots
    }

    /// Adds a node and returns its index.
    @discardableResult
    public mutating func add(_ number: UInt32?, parent: Int? = nil) -> Int {
        nodes.append(Node(number: number))
        let index = nodes.count - 1
        if let parent { nodes[parent].children.append(index) } else { roots.append(index) }
        return index
    }
}
