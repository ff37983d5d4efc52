// libFuzzer harness for the MIME parser: the checks are `checkMIMEParseInput` (see README, "Fuzzing"; run it
// with scripts/fuzz.sh FuzzMIMEParse SECONDS).
import FuzzMIMEParseCheck

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    do {
        try checkMIMEParseInput(Array(UnsafeRawBufferPointer(start: data, count: size)))
    } catch {
        fatalError(error.description)
    }
    return 0
}
