// The whole feature pipeline on arbitrary samples with bounded random options:
// the first 8 bytes choose the options, the rest are float32 samples.
#include <cstring>
#include <vector>

#include "melnorm/error.h"
#include "melnorm/pipeline.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 8) return 0;
  static const char* methods[] = {"none", "minmax", "zscore", "zscore-minmax", "robust", "robust-zscore", "pcen"};
  static const char* dbs[] = {"max", "ref1", "off", "p99.5"};
  static const char* axes[] = {"all", "band", "frame"};
  const std::uint8_t* c = data;
  melnorm::OptionValues v{{"sr", std::to_string(1000 + 1000 * (c[0] % 48))},
                          {"n_fft", std::to_string(16 << (c[1] % 7))},
                          {"hop_length", std::to_string(1 + c[2] % 255)},
                          {"n_mels", std::to_string(1 + c[3] % 64)},
                          {"db", dbs[c[4] % 4]},
                          {"normalize", methods[c[5] % 7]},
                          {"center", c[6] & 1 ? "true" : "false"},
                          {"db_floor", c[6] & 2 ? "relative" : "absolute"}};
  if (c[5] % 7 != 6) v["axis"] = axes[c[7] % 3];
  if (c[5] % 7 == 6) v.erase("db");
  std::vector<float> samples((size - 8) / sizeof(float));
  if (!samples.empty()) std::memcpy(samples.data(), data + 8, samples.size() * sizeof(float));
  try {
    const melnorm::Pipeline p(melnorm::resolve_pipeline_options(v));
    (void)p.run(samples, std::stoi(v["sr"]), "fuzz");
  } catch (const melnorm::Error&) {}
  return 0;
}
