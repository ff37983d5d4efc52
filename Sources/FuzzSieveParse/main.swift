// libFuzzer harness for the Sieve lexer, parser, validator and interpreter: the checks are
// `checkSieveParseInput` (see README, "Fuzzing"; run it with scripts/fuzz.sh FuzzSieveParse SECONDS).
import FuzzSieveParseCheck

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    do {
        try checkSieveParseInput(Array(UnsafeRawBufferPointer(start: data, count: size)))
    } catch {
        fatalError(error.description)
    }
    return 0
}
