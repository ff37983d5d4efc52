/// Bytes written through a pointer into a fixed area: no capacity or exclusivity check per write, the
/// caller checks the room once per response line.
struct ScratchWriter {
    let base: UnsafeMutablePointer<UInt8>
    let capacity: Int
    var count = 0

    /// An area of its own (`deallocate` frees it).
    init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    /// Memory the caller owns (for example a ByteBuffer's writable bytes); not to be deallocated.
    init(base: UnsafeMutablePointer<UInt8>, capacity: Int) {
        self.base = base
        self.capacity = capacity
    }

    func deallocate() { base.deallocate() }

    var written: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    mutating func put(_ text: StaticString) {
        (base + count).update(from: text.utf8Start, count: text.utf8CodeUnitCount)
        count += text.utf8CodeUnitCount
    }

    mutating func put(_ bytes: [UInt8]) {
        if bytes.isEmpty { return }
        bytes.withUnsafeBufferPointer { (base + count).update(from: $0.baseAddress!, count: $0.count) }
        count += bytes.count
    }

    mutating func put(_ bytes: [UInt8], _ range: Range<Int>) {
        if range.isEmpty { return }
        bytes.withUnsafeBufferPointer {
            (base + count).update(from: $0.baseAddress! + range.lowerBound, count: range.count)
        }
        count += range.count
    }

    mutating func decimal(_ number: UInt64) {
        var digits = 1
        var rest = number / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        var value = number
        var at = count + digits
        repeat {
            at -= 1
            base[at] = UInt8(truncatingIfNeeded: value % 10) &+ UInt8(ascii: "0")
            value /= 10
        } while value > 0
        count += digits
    }
}
