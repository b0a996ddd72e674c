// Waveforms that do not come through a decoder: .npy arrays, mono mixing
// and the NaN/Inf/overflow check every input goes through.
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "core/format.h"
#include "io/limits.h"
#include "melnorm/audio.h"
#include "melnorm/error.h"
#include "melnorm/npy.h"

namespace melnorm {

namespace {

// Bits of the largest accepted magnitude: comparing |x|'s bits as integers
// orders finite floats and puts NaN/Inf above every one of them.
constexpr std::uint32_t kMaxMagnitudeBits = std::bit_cast<std::uint32_t>(static_cast<float>(detail::kMaxSampleMagnitude));

// True when any value is NaN, +-Inf or beyond kMaxSampleMagnitude. No early
// exit, so the loop vectorises; the caller then locates the first one.
#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target_clones("avx2", "default")))
#endif
bool any_out_of_range(const float* v, std::size_t n) {
  std::uint32_t bad = 0;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint32_t bits;
    std::memcpy(&bits, v + i, sizeof bits);
    bad |= static_cast<std::uint32_t>((bits & 0x7fffffffu) > kMaxMagnitudeBits);
  }
  return bad != 0;
}

}  // namespace

void check_finite(std::span<const float> samples, const std::string& what) {
  if (!any_out_of_range(samples.data(), samples.size())) return;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const float v = samples[i];
    if (!std::isfinite(v))
      throw Error(ErrorCode::kInvalidData, "y",
                  what + ": sample " + std::to_string(i) + " is " + (std::isnan(v) ? "NaN" : "infinite") +
                      "; audio must be finite");
    if (std::fabs(v) > static_cast<float>(detail::kMaxSampleMagnitude))
      throw Error(ErrorCode::kInvalidData, "y",
                  what + ": sample " + std::to_string(i) + " is " + detail::num(v) + "; at most " +
                      detail::num(detail::kMaxSampleMagnitude) +
                      " in magnitude is accepted (its power would overflow float32)");
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
  if (array.shape.size() == 2 && array.shape[0] > detail::kMaxChannels)
    throw Error(ErrorCode::kInvalidData, "y",
                path.string() + ": waveform has " + std::to_string(array.shape[0]) + " channels; at most " +
                    std::to_string(detail::kMaxChannels) + " (it must be channels-first [channels, samples])");
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
