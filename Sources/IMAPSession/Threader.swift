import IMAPWire

/// The THREAD algorithms of RFC 5256 §2.1 (ORDEREDSUBJECT) and §2.2 (REFERENCES), over the searched
/// messages. Containers live in flat arrays and every walk uses an explicit stack or queue, so a thread
/// as deep as the mailbox is large costs no recursion.
enum Threader {
    struct Message: Sendable {
        /// Position in the mailbox: the tie-break of every comparison.
        var sequenceNumber: Int
        /// What the answer shows: the sequence number or the UID.
        var number: UInt32
        var keys: MessageSortKeys
        /// The sent date, or the internal date when it has none (RFC 5256 §2.2 step 6, §3).
        var date: Int64
    }

    /// RFC 5256 §2.1: sorted by base subject then sent date; each run with the same base subject is a
    /// thread whose first message is the parent of all the others; threads in the order of their
    /// first message's sent date.
    static func orderedSubject(_ messages: [Message]) -> ThreadResponse {
        let order = messages.indices.sorted { a, b in
            let x = messages[a]
            let y = messages[b]
            if x.keys.subject != y.keys.subject { return x.keys.subject.lexicographicallyPrecedes(y.keys.subject) }
            return (x.date, x.sequenceNumber) < (y.date, y.sequenceNumber)
        }
        var threads: [[Int]] = []
        for index in order {
            if let last = threads.last?.first, messages[last].keys.subject == messages[index].keys.subject {
                threads[threads.count - 1].append(index)
            } else {
                threads.append([index])
            }
        }
        threads.sort {
            (messages[$0[0]].date, messages[$0[0]].sequenceNumber) < (
                messages[$1[0]].date, messages[$1[0]].sequenceNumber
            )
        }
        var response = ThreadResponse()
        for thread in threads {
            let root = response.add(messages[thread[0]].number)
            for child in thread.dropFirst() { response.add(messages[child].number, parent: root) }
        }
        return response
    }

    /// RFC 5256 §2.2.
    static func references(_ messages: [Message]) -> ThreadResponse {
        var forest = Forest(messages)
        forest.link()
        forest.prune()
        forest.gatherBySubject()
        forest.sortSiblings()
        return forest.response()
    }
}

/// The container forest of RFC 5256 §2.2. Index `root` is a virtual container whose children are the
/// root set.
private struct Forest {
    let messages: [Threader.Message]
    var parent: [Int?] = []
    var children: [[Int]] = []
    /// Index into `messages`; nil for a dummy.
    var message: [Int?] = []
    let root = 0

    init(_ messages: [Threader.Message]) {
        self.messages = messages
        _ = add(nil)
    }

    mutating func add(_ message: Int?) -> Int {
        parent.append(nil)
        children.append([])
        self.message.append(message)
        return parent.count - 1
    }

    /// Whether `a` is `b` or one of its ancestors.
    func isAncestor(_ a: Int, of b: Int) -> Bool {
        // A container without children is nobody's ancestor but its own.
        if children[a].isEmpty { return a == b }
        var current: Int? = b
        while let c = current {
            if c == a { return true }
            current = parent[c]
        }
        return false
    }

    mutating func setParent(_ child: Int, _ newParent: Int?) {
        if let old = parent[child] { children[old].removeAll { $0 == child } }
        parent[child] = newParent
        if let newParent { children[newParent].append(child) }
    }

    /// Step 1: containers by message id, linked by References (or In-Reply-To); step 2: the root set.
    mutating func link() {
        var table: [[UInt8]: Int] = [:]
        func container(_ id: [UInt8]) -> Int {
            if let existing = table[id] { return existing }
            let made = add(nil)
            table[id] = made
            return made
        }
        for (index, m) in messages.enumerated() {
            // A: its own container; a missing or already used id gets a container of its own.
            let this: Int
            if !m.keys.messageID.isEmpty, let existing = table[m.keys.messageID], message[existing] == nil {
                this = existing
                message[existing] = index
            } else if !m.keys.messageID.isEmpty, table[m.keys.messageID] == nil {
                this = add(index)
                table[m.keys.messageID] = this
            } else {
                this = add(index)
            }
            // B: each reference the parent of the next, unless it has one or that would make a loop.
            let refs = m.keys.references.map(container)
            for (p, c) in zip(refs, refs.dropFirst()) where parent[c] == nil && !isAncestor(c, of: p) {
                setParent(c, p)
            }
            // C: the last reference is the parent (none: no parent), unless that would make a loop.
            if let last = refs.last, !isAncestor(this, of: last) {
                if parent[this] != last { setParent(this, last) }
            } else if refs.isEmpty {
                setParent(this, nil)
            }
        }
        for c in 1..<parent.count where parent[c] == nil { setParent(c, root) }
    }

    /// Step 4: dummies without children go; a dummy's children take its place, except that a dummy in
    /// the root set with several children stays (its children would otherwise become separate threads).
    /// Children are pruned before their parents, so each decision sees the final number of children.
    mutating func prune() {
        var preOrder: [Int] = []
        var stack = [root]
        while let c = stack.popLast() {
            preOrder.append(c)
            stack += children[c]
        }
        for p in preOrder.reversed() where !children[p].isEmpty {
            var kept: [Int] = []
            for c in children[p] {
                if message[c] != nil || (p == root && children[c].count > 1) {
                    kept.append(c)
                } else if !children[c].isEmpty {
                    for k in children[c] { parent[k] = p }
                    kept += children[c]
                    children[c] = []
                }
            }
            children[p] = kept
        }
    }

    /// The message whose subject stands for a thread: its own, or a dummy's first child's.
    func representative(_ c: Int) -> Int? {
        message[c] ?? children[c].first.flatMap { message[$0] }
    }

    /// Step 5: threads in the root set with the same base subject are merged.
    mutating func gatherBySubject() {
        func subject(_ c: Int) -> [UInt8] { representative(c).map { messages[$0].keys.subject } ?? [] }
        func isReply(_ c: Int) -> Bool { message[c].map { messages[$0].keys.isReplyOrForward } ?? false }
        var table: [[UInt8]: Int] = [:]
        for c in children[root] {
            let s = subject(c)
            guard !s.isEmpty else { continue }
            if let old = table[s] {
                if (message[c] == nil && message[old] != nil) || (isReply(old) && !isReply(c)) { table[s] = c }
            } else {
                table[s] = c
            }
        }
        // The root list is rebuilt once at the end: removing each merged thread from it as it goes would
        // cost a pass over the root set per merge.
        let roots = children[root]
        var replaced: [Int: Int] = [:]
        for c in roots where parent[c] == root {
            let s = subject(c)
            guard !s.isEmpty, let t = table[s], t != c else { continue }
            if message[t] == nil && message[c] == nil {
                for k in children[c] { parent[k] = t }
                children[t] += children[c]
                children[c] = []
                parent[c] = nil
            } else if message[t] == nil || (isReply(c) && !isReply(t)) {
                parent[c] = t
                children[t].append(c)
            } else {
                let dummy = add(nil)
                replaced[t] = dummy
                parent[dummy] = root
                children[dummy] = [t, c]
                parent[t] = dummy
                parent[c] = dummy
                table[s] = dummy
            }
        }
        children[root] = roots.compactMap { r in replaced[r] ?? (parent[r] == root ? r : nil) }
    }

    /// Step 6: every set of siblings by sent date (then mailbox order), the deepest first; a dummy sorts
    /// as its first child.
    mutating func sortSiblings() {
        var postOrder: [Int] = []
        var stack = [root]
        while let c = stack.popLast() {
            postOrder.append(c)
            stack += children[c]
        }
        var key = [(date: Int64, sequence: Int)](repeating: (0, 0), count: parent.count)
        for c in postOrder.reversed() {
            children[c].sort { key[$0] < key[$1] }
            if let m = message[c] {
                key[c] = (messages[m].date, messages[m].sequenceNumber)
            } else if let first = children[c].first {
                key[c] = key[first]
            }
        }
    }

    func response() -> ThreadResponse {
        var response = ThreadResponse()
        var stack: [(container: Int, node: Int?)] = [(root, nil)]
        while let top = stack.popLast() {
            for k in children[top.container] {
                let added = response.add(message[k].map { messages[$0].number }, parent: top.node)
                stack.append((k, added))
            }
        }
        return response
    }
}
