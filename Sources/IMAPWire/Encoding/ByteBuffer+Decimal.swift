import NIOCore

extension ByteBuffer {
    /// `number` in decimal ASCII (RFC 9051 §9 `number`, `nz-number`, `mod-sequence-value`), written
    /// without making a String: FETCH and SEARCH answers for a big mailbox write several per message.
    @inlinable
    public mutating func writeDecimal(_ number: UInt64) {
        // At most 20 digits; filled from the end.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var value = number
            var start = 20
            repeat {
                start -= 1
                digits[start] = UInt8(truncatingIfNeeded: value % 10) &+ UInt8(ascii: "0")
                value /= 10
            } while value > 0
            writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(digits)[start..<20]))
        }
    }

    @inlinable
    public mutating func writeDecimal(_ number: UInt32) { writeDecimal(UInt64(number)) }

    @inlinable
    public mutating func writeDecimal(_ number: Int) { writeDecimal(UInt64(clamping: number)) }
}
