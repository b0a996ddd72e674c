// Waveforms that do not come through a decoder: .npy arrays, mono mixing
// and the NaN/Inf check every input goes through.
#include <cmath>
#include <cstdint>
#include <cstring>

#include "core/format.h"
#include "melnorm/audio.h"
#include "melnorm/error.h"
#include "melnorm/npy.h"

namespace melnorm {

namespace {

// True when any value's exponent bits are all ones (NaN or +-Inf). No early
// exit, so the loop vectorises; the caller then locates the first one.
#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target_clones("avx2", "default")))
#endif
bool any_non_finite(const float* v, std::size_t n) {
  std::uint32_t bad = 0;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint32_t bits;
    std::memcpy(&bits, v + i, sizeof bits);
    bad |= static_cast<std::uint32_t>((bits & 0x7f800000u) == 0x7f800000u);
  }
  return bad != 0;
}

}  // namespace

void check_finite(std::span<const float> samples, const std::string& what) {
  if (!any_non_finite(samples.data(), samples.size())) return;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    if (!std::isfinite(samples[i]))
      throw Error(ErrorCode::kInvalidData, "y",
                  what + ": sample " + std::to_string(i) + " is " +
                      (std::isnan(samples[i]) ? "NaN" : "infinite") + "; audio must be finite");
  }
}

void mix_to_mono(Audio& audio) {
  if (audio.channels <= 1) return;
  const std::size_t frames = audio.frames();
  std::vector<float> mono(frames, 0.0f);
  for (int c = 0; c < audio.channels; ++c) {
    const float* ch = audio.samples.data() + c * frames;
    for (std::size_t i = 0; i < frames; ++i) mono[i] += ch[i];
  }
  const float inv = 1.0f / static_cast<float>(audio.channels);
  for (float& v : mono) v *= inv;
  audio.samples = std::move(mono);
  audio.channels = 1;
}

Audio load_npy_waveform(const std::filesystem::path& path, int sample_rate, const LoadOptions& options) {
  if (sample_rate <= 0)
    throw_invalid_argument("sr", "sr=" + std::to_string(sample_rate) + " must be the waveform's positive sample rate in Hz");
  NpyArray array = read_npy(path);
  if (array.dtype != DType::kFloat32 && array.dtype != DType::kFloat64 && array.dtype != DType::kInt16)
    throw Error(ErrorCode::kInvalidData, "y",
                path.string() + ": waveform dtype " + to_string(array.dtype) + " is not supported; allowed: float32, float64, int16");
  if (array.shape.empty() || array.shape.size() > 2)
    throw Error(ErrorCode::kInvalidData, "y",
                path.string() + ": waveform must be 1-D [samples] or 2-D channels-first [channels, samples], got " +
                    std::to_string(array.shape.size()) + "-D");
  Audio audio;
  audio.sample_rate = sample_rate;
  audio.channels = array.shape.size() == 2 ? static_cast<int>(array.shape[0]) : 1;
  audio.samples = array.to_float32(/*scale_int16=*/true);
  if (audio.samples.empty() || audio.channels == 0)
    throw Error(ErrorCode::kInvalidData, "y", path.string() + ": waveform is empty (0 samples)");
  check_finite(audio.samples, path.string());
  if (options.mono) mix_to_mono(audio);
  if (options.sample_rate) resample(audio, *options.sample_rate);
  return audio;
}

}  // namespace melnorm
