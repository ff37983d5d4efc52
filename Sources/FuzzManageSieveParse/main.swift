// libFuzzer harness for the ManageSieve input framer, command decoder and response encoder: the checks
// are `checkManageSieveParseInput` (see README, "Fuzzing"; run it with scripts/fuzz.sh FuzzManageSieveParse
// SECONDS).
import FuzzManageSieveParseCheck

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    do {
        try checkManageSieveParseInput(Array(UnsafeRawBufferPointer(start: data, count: size)))
    } catch {
        fatalError(error.description)
    }
    return 0
}
