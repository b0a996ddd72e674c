// The pipeline record an OUTDIR's options.json holds (what a resume and from_outdir read).
#include <string>

#include "melnorm/error.h"
#include "melnorm/pipeline.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto options =
        melnorm::Pipeline::options_from_json(std::string(reinterpret_cast<const char*>(data), size), "options.json");
    melnorm::Pipeline p(options);
    (void)p.to_json();
  } catch (const melnorm::Error&) {}
  return 0;
}
