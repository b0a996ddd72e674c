#include "melnorm/mel_spectrogram.h"
#include "core/huge_pages.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "core/format.h"
#include "io/limits.h"
#include "melnorm/audio.h"
#include "melnorm/error.h"
#include "spectral/fft.h"

namespace melnorm {

using detail::num;

Preset parse_preset(std::string_view name, std::string param) {
  if (name == "librosa") return Preset::kLibrosa;
  if (name == "torchaudio") return Preset::kTorchaudio;
  // param copied, not moved: the message reads it, in either order of evaluation
  throw_invalid_argument(param, param + "='" + std::string(name) + "' is not a preset; allowed: librosa, torchaudio");
}

std::string to_string(Preset preset) { return preset == Preset::kLibrosa ? "librosa" : "torchaudio"; }

void MelSpectrogramOptions::validate() const {
  if (!(sample_rate > 0) || !std::isfinite(sample_rate))
    throw_invalid_argument("sr", "sr=" + num(sample_rate) + " must be a positive sample rate in Hz");
  stft.validate();
  mel.validate(sample_rate);
  if (power != 1.0 && power != 2.0)
    throw_invalid_argument("power", "power=" + num(power) + " is not supported; allowed: 1 (magnitude), 2 (power)");
  db.validate();
}

struct MelSpectrogram::Impl {
  std::shared_ptr<const detail::RealFft<double>> fft;
  std::shared_ptr<const detail::RealFft<float>> fft_single;  // when compute() uses single precision
  std::vector<double> window;                                // the win_length non-zero samples of the window
  std::vector<float> window_single;                          // the same, rounded to float
  int window_offset = 0;                                     // where they sit in the n_fft frame (centred)
  bool single = false;                                       // compute() transforms in single precision
  template <class T>
  const detail::RealFft<T>& fft_of() const {
    if constexpr (std::is_same_v<T, float>) return *fft_single;
    else return *fft;
  }
  template <class T>
  const T* window_of() const {
    if constexpr (std::is_same_v<T, float>) return window_single.data();
    else return window.data();
  }
};

namespace {

bool uses_single_precision_fft(const MelSpectrogramOptions& o) {
  switch (o.fft_precision) {
    case FftPrecision::kDouble: return false;
    case FftPrecision::kSingle: return true;
    case FftPrecision::kAuto: break;
  }
  // Every value kept is within top_db of the clip's peak, so within top_db of
  // its own frame's peak: >= 60 dB above single precision's rounding floor
  // (~140 dB below the frame's peak), errors <= ~0.01 dB even in the worst bin.
  return o.db.enabled && o.db.top_db && *o.db.top_db <= 80.0;
}

}  // namespace

FftPrecision effective_fft_precision(const MelSpectrogramOptions& options) {
  return uses_single_precision_fft(options) ? FftPrecision::kSingle : FftPrecision::kDouble;
}

FftPrecision parse_fft_precision(std::string_view name) {
  if (name == "auto") return FftPrecision::kAuto;
  if (name == "double") return FftPrecision::kDouble;
  if (name == "single") return FftPrecision::kSingle;
  throw_invalid_argument("fft_precision",
                         "fft_precision='" + std::string(name) + "' is not supported; allowed: auto, double, single");
}

std::string to_string(FftPrecision p) {
  switch (p) {
    case FftPrecision::kDouble: return "double";
    case FftPrecision::kSingle: return "single";
    case FftPrecision::kAuto: break;
  }
  return "auto";
}

MelSpectrogram::MelSpectrogram(const MelSpectrogramOptions& options) : options_(options) {
  options_.validate();
  const StftOptions& s = options_.stft;
  filterbank_ = std::make_unique<MelFilterbank>(options_.sample_rate, s.n_fft, options_.mel);
  impl_ = std::make_unique<Impl>();
  impl_->fft = detail::make_real_fft<double>(s.n_fft);
  impl_->single = uses_single_precision_fft(options_);
  if (impl_->single) impl_->fft_single = detail::make_real_fft<float>(s.n_fft);
  const int win = s.effective_win_length();
  impl_->window = make_window(s.window, win);
  impl_->window_single.assign(impl_->window.begin(), impl_->window.end());
  impl_->window_offset = (s.n_fft - win) / 2;  // librosa.util.pad_center
}

MelSpectrogram::~MelSpectrogram() = default;
MelSpectrogram::MelSpectrogram(MelSpectrogram&&) noexcept = default;
MelSpectrogram& MelSpectrogram::operator=(MelSpectrogram&&) noexcept = default;

namespace {

// Index into the signal for a padded position, numpy.pad's "reflect":
// period 2(n-1), the edge sample not repeated.
std::int64_t reflect_index(std::int64_t i, std::int64_t n) {
  if (n == 1) return 0;
  const std::int64_t period = 2 * (n - 1);
  i %= period;
  if (i < 0) i += period;
  return i < n ? i : period - i;
}

// The per-frame loops, compiled twice (AVX2 and baseline x86-64) and picked
// at load time, so one binary runs everywhere and uses AVX2 where present.
#if defined(__x86_64__) && defined(__GNUC__)
#define MELNORM_SIMD_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define MELNORM_SIMD_CLONES
#endif
// Clang (14) clones no function templates: there they build for the baseline.
#if defined(__clang__)
#define MELNORM_SIMD_CLONES_TEMPLATE
#else
#define MELNORM_SIMD_CLONES_TEMPLATE MELNORM_SIMD_CLONES
#endif

MELNORM_SIMD_CLONES
void window_frame(const float* __restrict src, const double* __restrict window, double* __restrict dst, int n) {
  for (int j = 0; j < n; ++j) dst[j] = window[j] * static_cast<double>(src[j]);
}

MELNORM_SIMD_CLONES
void window_frame(const float* __restrict src, const float* __restrict window, float* __restrict dst, int n) {
  for (int j = 0; j < n; ++j) dst[j] = window[j] * src[j];
}

// |X|^2 (or |X|) of one frame into column `stride`-apart slots of a bin-major block.
template <class T>
MELNORM_SIMD_CLONES_TEMPLATE void power_spectrum(const T* __restrict bins, float* __restrict out, std::size_t stride,
                                                 int n_bins, bool magnitude) {
  if (magnitude)
    for (int k = 0; k < n_bins; ++k)
      out[static_cast<std::size_t>(k) * stride] =
          static_cast<float>(std::sqrt(bins[2 * k] * bins[2 * k] + bins[2 * k + 1] * bins[2 * k + 1]));
  else
    for (int k = 0; k < n_bins; ++k)
      out[static_cast<std::size_t>(k) * stride] =
          static_cast<float>(bins[2 * k] * bins[2 * k] + bins[2 * k + 1] * bins[2 * k + 1]);
}

// Whether every value is +0 or -0 (an FFT of such a frame is exactly zero).
// Integer OR of the bits without the sign: vectorises without -ffast-math.
template <class T>
MELNORM_SIMD_CLONES_TEMPLATE bool all_zero(const T* __restrict v, int n) {
  using Bits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
  constexpr Bits kNoSign = ~(Bits{1} << (8 * sizeof(T) - 1));
  Bits any = 0;
  for (int j = 0; j < n; ++j) {
    Bits b;
    std::memcpy(&b, v + j, sizeof b);
    any |= b & kNoSign;
  }
  return any == 0;
}

// Frames per block: 16 floats fill a cache line of each bin's row, and the
// block's spectra ([n_bins][16] floats: 16 KB at n_fft 512) stay in L1 while
// the filterbank runs over them (64 frames measured slower: 66 KB).
constexpr std::size_t kFrameBlock = 16;

// Bands x frames within the limit, checked before the matrix is allocated.
void check_size(std::size_t n_mels, std::size_t n_frames) {
  const auto values = detail::checked_mul(n_mels, n_frames);
  if (!values || *values > detail::kMaxSpectrogramValues)
    throw Error(ErrorCode::kInvalidData, "y",
                "input waveform: " + num(n_mels) + " mel bands x " + num(n_frames) + " frames is more than " +
                    num(detail::kMaxSpectrogramValues) + " values (2^31); use a larger hop_length or shorter clips");
}

// Whether every value is finite and, for magnitudes, squares to a finite
// float (dB squares them). No early exit, so the loop vectorises.
MELNORM_SIMD_CLONES
bool all_below(const float* __restrict v, std::size_t n, float limit) {
  bool ok = true;
  for (std::size_t i = 0; i < n; ++i) ok &= v[i] <= limit;  // false for NaN too
  return ok;
}

// A backstop behind check_finite's sample limit (a huge n_fft, magnitudes):
// an overflowed power would turn into 0 dB everywhere.
void check_no_overflow(const Matrix& m, bool magnitude) {
  const float limit = magnitude ? std::sqrt(std::numeric_limits<float>::max()) : std::numeric_limits<float>::max();
  if (!all_below(m.data.data(), m.data.size(), limit))
    throw Error(ErrorCode::kInvalidData, "y",
                "input waveform: its power spectrum overflows float32; the samples are too large for this n_fft");
}

}  // namespace

Matrix MelSpectrogram::compute_linear(std::span<const float> x) const {
  return options_.fft_precision == FftPrecision::kSingle ? compute_linear_as<float>(x) : compute_linear_as<double>(x);
}

template <class T>
Matrix MelSpectrogram::compute_linear_as(std::span<const float> x) const {
  const StftOptions& s = options_.stft;
  if (x.empty()) throw Error(ErrorCode::kInvalidData, "y", "input waveform is empty (0 samples)");
  check_finite(x, "input waveform");
  const std::size_t n_frames = s.n_frames(x.size());  // throws when too short
  check_size(static_cast<std::size_t>(filterbank_->n_mels()), n_frames);
  const std::int64_t n = static_cast<std::int64_t>(x.size());
  if (s.center && s.n_fft > n)
    warn("n_fft=" + num(s.n_fft) + " is too large for an input of " + num(x.size()) + " samples");

  const int n_bins = s.n_bins();
  const int win = static_cast<int>(impl_->window.size());
  const int off = impl_->window_offset;
  const std::int64_t pad = s.center ? s.n_fft / 2 : 0;
  const T* window = impl_->window_of<T>();
  const detail::RealFft<T>& fft = impl_->fft_of<T>();
  const bool magnitude = options_.power == 1.0;

  Matrix out = detail::huge_matrix(static_cast<std::size_t>(filterbank_->n_mels()), n_frames);
  // Work buffers: allocated once per call, reused for every frame.
  detail::AlignedBuffer<T> frame(static_cast<std::size_t>(s.n_fft));
  detail::AlignedBuffer<std::complex<T>> bins(static_cast<std::size_t>(n_bins));
  detail::AlignedBuffer<float> power(static_cast<std::size_t>(n_bins) * kFrameBlock);
  T* fr = frame.data() + off;

  for (std::size_t t = 0; t < n_frames; ++t) {
    const std::int64_t first = static_cast<std::int64_t>(t) * s.hop_length - pad + off;
    if (first >= 0 && first + win <= n) {
      window_frame(x.data() + first, window, fr, win);
    } else {  // an edge frame reaching into the centre padding
      for (int j = 0; j < win; ++j) {
        const std::int64_t i = first + j;
        T v;
        if (i >= 0 && i < n) v = x[static_cast<std::size_t>(i)];
        else if (s.pad_mode == PadMode::kConstant) v = 0;
        else v = x[static_cast<std::size_t>(reflect_index(i, n))];
        fr[j] = window[j] * v;
      }
    }
    const std::size_t in_block = t % kFrameBlock;
    if (all_zero(fr, win)) {  // digital silence or padding: its spectrum is exactly zero, skip the FFT
      for (int k = 0; k < n_bins; ++k) power[static_cast<std::size_t>(k) * kFrameBlock + in_block] = 0.0f;
    } else {
      fft.forward(frame.data(), bins.data());
      power_spectrum(reinterpret_cast<const T*>(bins.data()), power.data() + in_block, kFrameBlock, n_bins, magnitude);
    }
    if (in_block + 1 == kFrameBlock || t + 1 == n_frames)  // a full block, or the last frames
      filterbank_->apply_frames(power.data(), kFrameBlock, in_block + 1, &out(0, t - in_block), n_frames);
  }
  check_no_overflow(out, magnitude);
  return out;
}

Matrix MelSpectrogram::compute(std::span<const float> x) const {
  Matrix mel = impl_->single ? compute_linear_as<float>(x) : compute_linear_as<double>(x);
  apply_db(mel, options_);
  return mel;
}

void apply_db(Matrix& mel, const MelSpectrogramOptions& options) {
  if (!options.db.enabled) return;
  const std::size_t bands = std::max<std::size_t>(mel.rows, 1);
  if (options.power == 2.0) power_to_db(mel.data, options.db, bands);
  else amplitude_to_db(mel.data, options.db, bands);
}

}  // namespace melnorm
