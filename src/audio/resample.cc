// Sample-rate conversion with libsoxr, "high quality" recipe: the same
// engine and setting as librosa.resample(res_type="soxr_hq"), its default.
#include <soxr.h>

#include <cmath>
#include <string>
#include <vector>

#include "audio/stream_resampler.h"
#include "core/format.h"
#include "core/huge_pages.h"
#include "io/limits.h"
#include "melnorm/audio.h"
#include "melnorm/error.h"

namespace melnorm {
namespace {

// A bogus rate in a tiny file must not expand it into gigabytes.
void check_bounds(const Audio& audio, int target_rate, double ratio) {
  using detail::num;
  const std::string what = "resampling from " + num(audio.sample_rate) + " Hz to " + num(target_rate) + " Hz";
  if (ratio > detail::kMaxResampleRatio)
    throw Error(
        ErrorCode::kInvalidData, "sr",
        what + " is an upsampling ratio " + num(ratio) + "; at most " + num(detail::kMaxResampleRatio) + " is allowed");
  const double out = std::ceil(static_cast<double>(audio.frames()) * ratio) * audio.channels;
  if (out > static_cast<double>(detail::kMaxArrayElements))
    throw Error(
        ErrorCode::kInvalidData, "sr",
        what + " gives " + num(out) + " samples; at most " + num(detail::kMaxArrayElements) + " (2^31) are allowed");
}

}  // namespace

void resample(Audio& audio, int target_rate) {
  if (target_rate <= 0)
    throw_invalid_argument("sr", "sr=" + std::to_string(target_rate) + " must be a positive sample rate in Hz");
  if (audio.sample_rate <= 0)
    throw_invalid_argument("sr", "the input's sample rate " + std::to_string(audio.sample_rate) + " is not positive");
  if (target_rate == audio.sample_rate) return;

  const std::size_t in_frames = audio.frames();
  const double ratio = static_cast<double>(target_rate) / audio.sample_rate;
  check_bounds(audio, target_rate, ratio);
  const std::size_t out_frames = static_cast<std::size_t>(std::ceil(in_frames * ratio));
  std::vector<float> out = detail::huge_vector<float>(out_frames * audio.channels);

  const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
  const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_HQ, 0);
  for (int c = 0; c < audio.channels; ++c) {
    std::size_t done = 0;
    const soxr_error_t err =
        soxr_oneshot(audio.sample_rate, target_rate, 1, audio.channel(c).data(), in_frames, nullptr,
                     out.data() + c * out_frames, out_frames, &done, &io, &quality, nullptr);
    if (err)
      throw Error(ErrorCode::kInvalidArgument, "sr",
                  "resampling from " + std::to_string(audio.sample_rate) + " Hz to " + std::to_string(target_rate) +
                      " Hz failed: " + err);
    // librosa fixes the length to ceil(frames * ratio); soxr may return one fewer: zero-filled.
  }
  audio.samples = std::move(out);
  audio.sample_rate = target_rate;
}

namespace detail {

struct StreamResampler::Impl {
  soxr_t soxr = nullptr;
  double ratio = 1.0;
  std::size_t in = 0, released = 0;
  std::vector<float> pending, buffer;
  static constexpr std::size_t kHold = 1024;  // outputs held back until the input's end is known

  void produce(const float* x, std::size_t n) {  // x == nullptr: flush
    std::size_t used = 0;
    do {
      buffer.resize(static_cast<std::size_t>(std::ceil(static_cast<double>(n - used) * ratio)) + 4096);
      std::size_t idone = 0, odone = 0;
      const soxr_error_t err =
          soxr_process(soxr, x ? x + used : nullptr, x ? n - used : 0, &idone, buffer.data(), buffer.size(), &odone);
      if (err) throw Error(ErrorCode::kInvalidArgument, "sr", std::string("resampling failed: ") + err);
      pending.insert(pending.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(odone));
      used += idone;
      if (!x && odone == 0) return;  // flushed
    } while (x ? used < n : true);
  }
};

StreamResampler::StreamResampler(int from_rate, int to_rate) : impl_(new Impl) {
  impl_->ratio = static_cast<double>(to_rate) / from_rate;
  check_bounds(Audio{.sample_rate = from_rate, .channels = 1, .samples = {}}, to_rate, impl_->ratio);
  const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
  const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_HQ, 0);
  soxr_error_t err = nullptr;
  impl_->soxr = soxr_create(from_rate, to_rate, 1, &err, &io, &quality, nullptr);
  if (err || !impl_->soxr)
    throw Error(ErrorCode::kInvalidArgument, "sr",
                "resampling from " + num(from_rate) + " Hz to " + num(to_rate) + " Hz failed: " + (err ? err : "?"));
}

StreamResampler::~StreamResampler() { soxr_delete(impl_->soxr); }

void StreamResampler::push(const float* x, std::size_t n, std::vector<float>& out) {
  Impl& s = *impl_;
  s.in += n;
  s.produce(x, n);
  if (s.pending.size() <= Impl::kHold) return;
  const std::size_t k = s.pending.size() - Impl::kHold;
  out.insert(out.end(), s.pending.begin(), s.pending.begin() + static_cast<std::ptrdiff_t>(k));
  s.pending.erase(s.pending.begin(), s.pending.begin() + static_cast<std::ptrdiff_t>(k));
  s.released += k;
}

void StreamResampler::finish(std::vector<float>& out) {
  Impl& s = *impl_;
  s.produce(nullptr, 0);
  const auto total = static_cast<std::size_t>(std::ceil(static_cast<double>(s.in) * s.ratio));
  const std::size_t rest = total > s.released ? total - s.released : 0;
  const std::size_t k = std::min(rest, s.pending.size());
  out.insert(out.end(), s.pending.begin(), s.pending.begin() + static_cast<std::ptrdiff_t>(k));
  out.resize(out.size() + (rest - k), 0.0f);  // soxr may give one fewer: zero-filled, as resample()
  s.pending.clear();
  s.released = total;
}

}  // namespace detail

}  // namespace melnorm
