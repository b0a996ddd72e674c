// What every waveform goes through: the NaN/Inf/overflow check and mono mixing.
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "core/format.h"
#include "core/huge_pages.h"
#include "io/limits.h"
#include "melnorm/audio.h"
#include "melnorm/error.h"

namespace melnorm {

namespace {

// Bits of the largest accepted magnitude: comparing |x|'s bits as integers
// orders finite floats and puts NaN/Inf above every one of them.
constexpr std::uint32_t kMaxMagnitudeBits =
    std::bit_cast<std::uint32_t>(static_cast<float>(detail::kMaxSampleMagnitude));

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
  std::vector<float> mono = detail::huge_vector<float>(frames);
  for (int c = 0; c < audio.channels; ++c) {
    const float* ch = audio.samples.data() + c * frames;
    for (std::size_t i = 0; i < frames; ++i) mono[i] += ch[i];
  }
  const float inv = 1.0f / static_cast<float>(audio.channels);
  for (float& v : mono) v *= inv;
  audio.samples = std::move(mono);
  audio.channels = 1;
}

}  // namespace melnorm
