// glibc's allocator, tuned for a process that makes one feature matrix after
// another: without it, each freed matrix at the heap's top is handed back to
// the kernel and the next one page-faults its memory in again (AST's padded
// [1024, 128] rows of FSDD: 72k faults, 1.30 s -> 1k faults, 0.15 s for 300
// clips). Keeping up to 64 MiB of free heap is what the CLI can afford; the
// library leaves process-wide allocator settings to its front ends.
#pragma once

#include <malloc.h>

namespace melnorm::cli {

inline void tune_malloc() {
#ifdef M_TOP_PAD
  mallopt(M_TOP_PAD, 64 << 20);
  mallopt(M_MMAP_THRESHOLD, 32 << 20);  // glibc's largest: blocks below it are reused, not mapped anew
#endif
}

}  // namespace melnorm::cli
