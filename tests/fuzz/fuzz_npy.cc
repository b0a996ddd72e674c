// .npy reader, then what a command does with the array: normalize and fit statistics.
#include "fuzz_util.h"
#include "melnorm/error.h"
#include "melnorm/normalize.h"
#include "melnorm/npy.h"
#include "melnorm/stats.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  melnorm::fuzz::InputFile file(data, size, ".npy");
  try {
    const melnorm::NpyArray a = melnorm::read_npy(file.path());
    std::vector<float> values = a.to_float32();
    const melnorm::BatchShape s = melnorm::batch_shape(a.shape, "x.npy");
    melnorm::Normalizer({.method = "zscore"}).apply({values.data(), s.batch, s.bands, s.frames});
    melnorm::Stats stats(s.bands);
    for (std::size_t i = 0; i < s.batch; ++i) stats.update(values.data() + i * s.bands * s.frames, s.bands, s.frames);
  } catch (const melnorm::Error&) {}
  return 0;
}
