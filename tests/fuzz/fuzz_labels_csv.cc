// The labels CSV reader (paths, labels, split and extra columns).
#include "dataset/sources.h"
#include "fuzz_util.h"
#include "melnorm/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  melnorm::fuzz::InputFile file(data, size, ".csv");
  try {
    (void)melnorm::detail::list_sources("/dev/shm", file.path());
    (void)melnorm::detail::list_sources("/dev/shm", file.path(), {.path = "slice_file_name", .label = "class"});
  } catch (const melnorm::Error&) {}
  return 0;
}
