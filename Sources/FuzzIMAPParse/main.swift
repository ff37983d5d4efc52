// libFuzzer harness for the IMAP command framer and parser: the checks are `checkIMAPParseInput` (see
// README, "Fuzzing"; run it with scripts/fuzz.sh FuzzIMAPParse SECONDS).
import FuzzIMAPParseCheck

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    do {
        try checkIMAPParseInput(Array(UnsafeRawBufferPointer(start: data, count: size)))
    } catch {
        fatalError(error.description)
    }
    return 0
}
