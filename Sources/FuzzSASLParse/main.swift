// libFuzzer harness for the SASL mechanisms: the checks are `checkSASLParseInput` (see README, "Fuzzing"; run it
// with scripts/fuzz.sh FuzzSASLParse SECONDS).
import FuzzSASLParseCheck

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    do {
        try checkSASLParseInput(Array(UnsafeRawBufferPointer(start: data, count: size)))
    } catch {
        fatalError(error.description)
    }
    return 0
}
