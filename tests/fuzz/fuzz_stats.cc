// The statistics loader (stats.json), then a use of what it loaded.
#include <string>

#include "melnorm/error.h"
#include "melnorm/stats.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const melnorm::Stats s =
        melnorm::Stats::from_json(std::string(reinterpret_cast<const char*>(data), size), "stats.json");
    if (s.n_bands()) s.percentile(50, 0), s.percentile(99);
  } catch (const melnorm::Error&) {}
  return 0;
}
