// libFuzzer harness for the TLS ClientHello reader: the checks are `checkClientHelloInput` (see README,
// "Fuzzing"; run it with scripts/fuzz.sh FuzzClientHello SECONDS).
import FuzzClientHelloCheck

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    do {
        try checkClientHelloInput(Array(UnsafeRawBufferPointer(start: data, count: size)))
    } catch {
        fatalError(error.description)
    }
    return 0
}
