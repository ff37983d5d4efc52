// libFuzzer harness for the PROXY protocol v2 header parser: the checks are `checkProxyParseInput`
// (see README, "Fuzzing"; run it with scripts/fuzz.sh FuzzProxyParse SECONDS).
import FuzzProxyParseCheck

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    do {
        try checkProxyParseInput(Array(UnsafeRawBufferPointer(start: data, count: size)))
    } catch {
        fatalError(error.description)
    }
    return 0
}
