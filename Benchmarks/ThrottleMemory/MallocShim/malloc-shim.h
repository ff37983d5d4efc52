// glibc's heap statistics, which the Glibc module does not bring into Swift.
#include <malloc.h>

// Bytes allocated and not freed: small blocks (uordblks) and those mapped on their own (hblkhd).
static inline size_t heap_in_use(void) {
    struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
}
