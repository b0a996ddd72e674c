// Resuming extract from an OUTDIR whose journal (.progress) and manifest.csv
// are arbitrary: the first byte picks the format (one .npy per row, or packed),
// the rest up to the first NUL byte is the journal, what follows the manifest.
// A clean OUTDIR of two tiny clips is made once per format and copied per input.
#include <sndfile.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <vector>

#include "fuzz_util.h"
#include "melnorm/error.h"
#include "melnorm/extract.h"

namespace fs = std::filesystem;

namespace {

const fs::path kRoot = fs::path("/dev/shm") / ("melnorm-fuzz-resume-" + std::to_string(::getpid()));

void write_clip(const fs::path& path, double freq) {
  fs::create_directories(path.parent_path());
  SF_INFO info{};
  info.samplerate = 8000;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  std::vector<float> x(1600);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = 0.5f * static_cast<float>(std::sin(6.283185307 * freq * i / 8000));
  sf_write_float(f, x.data(), static_cast<sf_count_t>(x.size()));
  sf_close(f);
}

melnorm::ExtractOptions options(bool packed, const fs::path& out_dir) {
  melnorm::ExtractOptions o;
  o.input = kRoot / "in";
  o.out_dir = out_dir;
  o.features = melnorm::resolve_pipeline_options(
      {{"sr", "8000"}, {"n_fft", "256"}, {"hop_length", "128"}, {"n_mels", "16"}, {"pad_to", "0.25"}});
  o.format = packed ? "packed" : "npy";
  o.jobs = 1;
  return o;
}

// The clean OUTDIRs, made on the first call.
void prepare() {
  static bool done = false;
  if (done) return;
  done = true;
  fs::remove_all(kRoot);
  write_clip(kRoot / "in" / "a" / "x.wav", 440);
  write_clip(kRoot / "in" / "b" / "y.wav", 880);
  for (bool packed : {false, true})
    (void)melnorm::extract_dataset(options(packed, kRoot / (packed ? "clean-packed" : "clean-npy")));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  prepare();
  const bool packed = data[0] & 1;
  const fs::path out = kRoot / "work";
  fs::remove_all(out);
  fs::copy(kRoot / (packed ? "clean-packed" : "clean-npy"), out, fs::copy_options::recursive);
  const auto* begin = reinterpret_cast<const char*>(data + 1);
  const auto* end = reinterpret_cast<const char*>(data + size);
  const char* nul = std::find(begin, end, '\0');
  std::ofstream(out / ".progress", std::ios::binary | std::ios::trunc).write(begin, nul - begin);
  if (nul != end) {
    if (packed) fs::rename(out / "features.npy", out / "features.npy.partial");  // as if interrupted
    std::ofstream(out / "manifest.csv", std::ios::binary | std::ios::trunc).write(nul + 1, end - nul - 1);
  }
  try {
    (void)melnorm::extract_dataset(options(packed, out));
  } catch (const melnorm::Error&) {}
  return 0;
}
