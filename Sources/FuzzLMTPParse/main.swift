// libFuzzer harness for the LMTP input framer, command parser and conversation: the checks are
// `checkLMTPParseInput` (see README, "Fuzzing"; run it with scripts/fuzz.sh FuzzLMTPParse SECONDS).
import FuzzLMTPParseCheck

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    do {
        try checkLMTPParseInput(Array(UnsafeRawBufferPointer(start: data, count: size)))
    } catch {
        fatalError(error.description)
    }
    return 0
}
