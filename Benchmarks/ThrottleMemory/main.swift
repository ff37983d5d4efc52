// The login throttle's memory with a million attacking addresses: fills an `AuthThrottle` (compiled from
// Sources/Defences, see throttle-memory.sh) with one failure from each of N distinct addresses and prints the
// heap in use (glibc mallinfo2) and the resident size before and after.
//
//     throttle-memory [ADDRESSES (1000000)] [ENTRIES (the default auth_throttle_entries)] [accounts]
//
// `accounts`: every failure names a different account too, so both of the throttle's tables fill.
import Glibc
import MallocShim

func heapInUse() -> Int { Int(heap_in_use()) }

func residentKiB() -> Int {
    guard let file = fopen("/proc/self/status", "r") else { return -1 }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, 256, file) != nil {
        let text = String(cString: line)
        if text.hasPrefix("VmRSS:") {
            return Int(text.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? -1
        }
    }
    return -1
}

let arguments = CommandLine.arguments
let addresses = arguments.count > 1 ? Int(arguments[1])! : 1_000_000
var policy = ThrottlePolicy()
if arguments.count > 2 { policy.maxEntries = Int(arguments[2])! }
let distinctAccounts = arguments.count > 3 && arguments[3] == "accounts"
// Made before the measurement, so that only the throttle is counted.
func address(_ i: Int) -> ClientAddress {
    let octets: [UInt8] = [
        UInt8(truncatingIfNeeded: i >> 24 | 1), UInt8(truncatingIfNeeded: i >> 16),
        UInt8(truncatingIfNeeded: i >> 8), UInt8(truncatingIfNeeded: i),
    ]
    return ClientAddress(bytes: octets)!
}
let keys = (0..<addresses).map(address)
let names = distinctAccounts ? (0..<addresses).map { "account\($0)" } : ["victim"]

let heapBefore = heapInUse()
let rssBefore = residentKiB()
let clock = ContinuousClock()
let start = clock.now
let throttle = AuthThrottle(policy: policy, epoch: start)
let elapsed = clock.measure {
    for (i, address) in keys.enumerated() {
        let name = names[distinctAccounts ? i : 0]
        _ = throttle.admit(address: address, account: name, now: start)
        throttle.recordFailure(address: address, account: name, now: start)
    }
}
let heapAfter = heapInUse()
let rssAfter = residentKiB()
let counts = throttle.counts
let perEntry = Double(heapAfter - heapBefore) / Double(counts.addresses + counts.accounts)
let microseconds =
    (Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12)
    / Double(addresses)
print(
    "addresses \(addresses), entries at most \(policy.maxEntries), distinct accounts \(distinctAccounts): "
        + "held \(counts.addresses) addresses + \(counts.accounts) accounts; "
        + "heap in use +\((heapAfter - heapBefore) / 1024) KiB (\(Int(perEntry)) bytes an entry), "
        + "resident +\(rssAfter - rssBefore) KiB; \((microseconds * 100).rounded() / 100) µs an attempt (admit + failure)"
)
withExtendedLifetime(throttle) {}
