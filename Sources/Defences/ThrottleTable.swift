/// What the throttle remembers of one client address or one account name.
///
/// Field order keeps it at 24 bytes: `pending` fills the gap after `failures`.
struct ThrottleEntry: Sendable, Equatable {
    /// Failed logins since the count was last forgotten.
    var failures: UInt32 = 0
    /// Attempts admitted and not yet ended by a failure or a success: they count as failures for the
    /// queue, so a burst of parallel guesses is checked one at a time like consecutive ones.
    var pending: UInt16 = 0
    /// When the last failure happened (nanoseconds on the throttle's clock).
    var lastFailure: Int64 = 0
    /// The earliest time the next attempt may be answered (the address's queue of attempts).
    var nextSlot: Int64 = 0
}

/// A map from a 64-bit key to a `ThrottleEntry` that never holds more than `capacity` entries: when
/// full, the entry used least recently makes room. Memory is a fixed cost per entry (about 70 bytes)
/// whatever the keys, so an attacker with a million addresses costs what `capacity` allows, no more.
/// Not thread-safe: `AuthThrottle` holds it under its lock.
struct ThrottleTable {
    let capacity: Int
    private var slots: [UInt64: Int32] = [:]
    private var keys: [UInt64] = []
    private var entries: [ThrottleEntry] = []
    /// A doubly linked list through the arrays, most recently used first.
    private var newer: [Int32] = []
    private var older: [Int32] = []
    private var newest: Int32 = -1
    private var oldest: Int32 = -1

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    var count: Int { keys.count }

    /// The entry, without making it recently used.
    func entry(_ key: UInt64) -> ThrottleEntry? {
        slots[key].map { entries[Int($0)] }
    }

    /// Changes the entry of `key` (a fresh one when there is none) and makes it the most recently used.
    mutating func update<T>(_ key: UInt64, _ body: (inout ThrottleEntry) -> T) -> T {
        let slot: Int32
        if let found = slots[key] {
            slot = found
            unlink(slot)
        } else if keys.count < capacity {
            slot = Int32(keys.count)
            keys.append(key)
            entries.append(ThrottleEntry())
            newer.append(-1)
            older.append(-1)
            slots[key] = slot
        } else {
            slot = oldest
            unlink(slot)
            slots.removeValue(forKey: keys[Int(slot)])
            keys[Int(slot)] = key
            entries[Int(slot)] = ThrottleEntry()
            slots[key] = slot
        }
        linkAsNewest(slot)
        return body(&entries[Int(slot)])
    }

    private mutating func unlink(_ slot: Int32) {
        let (n, o) = (newer[Int(slot)], older[Int(slot)])
        if n >= 0 { older[Int(n)] = o } else { newest = o }
        if o >= 0 { newer[Int(o)] = n } else { oldest = n }
        newer[Int(slot)] = -1
        older[Int(slot)] = -1
    }

    private mutating func linkAsNewest(_ slot: Int32) {
        older[Int(slot)] = newest
        newer[Int(slot)] = -1
        if newest >= 0 { newer[Int(newest)] = slot }
        newest = slot
        if oldest < 0 { oldest = slot }
    }
}
