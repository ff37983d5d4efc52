/// Names of new files (staged messages, content files): 128 random bits as 32 lowercase hex digits.
public enum RandomName {
    private static let digits = Array("0123456789abcdef".utf8)

    /// Two draws from the system's generator (not one per byte: each is a `getrandom` call), written
    /// out digit by digit (`String(format:)` per byte cost more than the rest of naming a file).
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return hex(generator.next(), generator.next())
    }

    /// `high` then `low`, each as 16 hex digits, most significant first.
    public static func hex(_ high: UInt64, _ low: UInt64) -> String {
        String(unsafeUninitializedCapacity: 32) { buffer in
            for (offset, value) in [(0, high), (16, low)] {
                for index in 0..<16 {
                    buffer[offset + index] = digits[Int((value >> UInt64(60 - 4 * index)) & 0xF)]
                }
            }
            return 32
        }
    }
}
