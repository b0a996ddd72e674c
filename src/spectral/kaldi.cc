// Kaldi's front end as torchaudio.compliance.kaldi (0.13) computes it; each
// step below names the torchaudio function it follows.
#include "melnorm/kaldi.h"
#include "core/huge_pages.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include "core/format.h"
#include "melnorm/error.h"
#include "spectral/fft.h"

namespace melnorm {

using detail::num;

namespace {

constexpr double kEpsilon = std::numeric_limits<float>::epsilon();  // Kaldi's log floor

double mel_scale(double hz) { return 1127.0 * std::log(1.0 + hz / 700.0); }

// A standard normal value that depends only on (seed, frame, sample): the
// same dither in every front end, thread and chunking (splitmix64 + Box-Muller).
double gaussian(std::uint64_t seed, std::uint64_t frame, std::uint64_t k) {
  auto mix = [](std::uint64_t z) {
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  };
  const std::uint64_t h = mix(mix(mix(seed) ^ frame) ^ k);
  const double u1 = (static_cast<double>(h >> 40) + 1.0) / 16777217.0;  // (0, 1]
  const double u2 = static_cast<double>(h & 0xffffffULL) / 16777216.0;
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

// _feature_window_function: symmetric windows of `n` samples.
std::vector<float> kaldi_window(KaldiWindow type, int n, double blackman_coeff) {
  std::vector<float> w(static_cast<std::size_t>(n));
  const double a = 2.0 * std::numbers::pi / (n - 1);
  for (int i = 0; i < n; ++i) {
    const double hann = 0.5 - 0.5 * std::cos(a * i);
    double v = 1.0;
    switch (type) {
      case KaldiWindow::kHanning: v = hann; break;
      case KaldiWindow::kPovey: v = std::pow(hann, 0.85); break;
      case KaldiWindow::kHamming: v = 0.54 - 0.46 * std::cos(a * i); break;
      case KaldiWindow::kBlackman:
        v = blackman_coeff - 0.5 * std::cos(a * i) + (0.5 - blackman_coeff) * std::cos(2 * a * i);
        break;
      case KaldiWindow::kRectangular: v = 1.0; break;
    }
    w[static_cast<std::size_t>(i)] = static_cast<float>(v);
  }
  return w;
}

// One triangle of get_mel_banks: weights of FFT bins [first, first + size).
struct MelBin {
  std::size_t first = 0;
  std::vector<float> weights;
};

std::vector<MelBin> kaldi_mel_bins(const KaldiOptions& o, int padded, double sr) {
  const int n_fft_bins = padded / 2;
  const double nyquist = 0.5 * sr;
  const double high = o.high_freq <= 0.0 ? o.high_freq + nyquist : o.high_freq;
  const double fft_bin_width = sr / padded;
  const double mel_low = mel_scale(o.low_freq), mel_high = mel_scale(high);
  const double delta = (mel_high - mel_low) / (o.num_mel_bins + 1);
  std::vector<MelBin> bins(static_cast<std::size_t>(o.num_mel_bins));
  for (int b = 0; b < o.num_mel_bins; ++b) {
    const double left = mel_low + b * delta, center = mel_low + (b + 1.0) * delta, right = mel_low + (b + 2.0) * delta;
    MelBin& bin = bins[static_cast<std::size_t>(b)];
    bool started = false;
    for (int k = 0; k < n_fft_bins; ++k) {
      const double mel = mel_scale(fft_bin_width * k);
      const double w = std::max(0.0, std::min((mel - left) / (center - left), (right - mel) / (right - center)));
      if (w > 0.0 && !started) bin.first = static_cast<std::size_t>(k), started = true;
      if (started && w <= 0.0) break;
      if (started) bin.weights.push_back(static_cast<float>(w));
    }
  }
  return bins;
}

// _get_dct_matrix with _get_lifter_coeffs: [num_ceps][num_mel_bins].
std::vector<double> kaldi_dct(int num_ceps, int num_mel_bins, double lifter) {
  std::vector<double> dct(static_cast<std::size_t>(num_ceps * num_mel_bins));
  for (int k = 0; k < num_ceps; ++k) {
    const double lift = lifter != 0.0 ? 1.0 + 0.5 * lifter * std::sin(std::numbers::pi * k / lifter) : 1.0;
    for (int n = 0; n < num_mel_bins; ++n) {
      const double v = k == 0
                           ? std::sqrt(1.0 / num_mel_bins)
                           : std::sqrt(2.0 / num_mel_bins) * std::cos(std::numbers::pi / num_mel_bins * (n + 0.5) * k);
      dct[static_cast<std::size_t>(k * num_mel_bins + n)] = v * lift;
    }
  }
  return dct;
}

}  // namespace

KaldiWindow parse_kaldi_window(std::string_view name) {
  if (name == "povey") return KaldiWindow::kPovey;
  if (name == "hanning") return KaldiWindow::kHanning;
  if (name == "hamming") return KaldiWindow::kHamming;
  if (name == "blackman") return KaldiWindow::kBlackman;
  if (name == "rectangular") return KaldiWindow::kRectangular;
  throw_invalid_argument("window_type", "window_type='" + std::string(name) +
                                            "' is not supported; allowed: povey, hanning, hamming, blackman, "
                                            "rectangular");
}

std::string to_string(KaldiWindow window) {
  static const char* names[] = {"povey", "hanning", "hamming", "blackman", "rectangular"};
  return names[static_cast<int>(window)];
}

namespace {
// int(sr * ms * 0.001) as torchaudio computes it, saturated (validate() refuses beyond kMaxWindow).
constexpr int kMaxWindow = 1 << 24;
int samples_of(double sr, double ms) {
  const double v = sr * ms * 0.001;
  if (!(v >= 0)) return 0;
  return v > kMaxWindow ? kMaxWindow + 1 : static_cast<int>(v);
}
}  // namespace

int KaldiOptions::window_size(double sr) const { return samples_of(sr, frame_length); }
int KaldiOptions::window_shift(double sr) const { return samples_of(sr, frame_shift); }
int KaldiOptions::padded_window_size(double sr) const {
  const int n = window_size(sr);
  if (!round_to_power_of_two || n <= 1) return n;
  int p = 1;
  while (p < n) p *= 2;
  return p;
}

void KaldiOptions::validate(double sr) const {
  auto bad = [](const char* name, const std::string& why) { throw_invalid_argument(name, why); };
  if (!(sr > 0)) bad("sr", "sr=" + num(sr) + " must be a positive sample rate in Hz");
  const int size = window_size(sr), shift = window_shift(sr);
  if (size < 2)
    bad("frame_length", "frame_length=" + num(frame_length) + " ms is " + num(size) + " samples at " + num(sr) +
                            " Hz; a frame needs at least 2");
  if (size > kMaxWindow || shift > kMaxWindow)
    bad(size > kMaxWindow ? "frame_length" : "frame_shift",
        "frame_length=" + num(frame_length) + " ms, frame_shift=" + num(frame_shift) + " ms at " + num(sr) +
            " Hz: a frame or shift longer than " + num(kMaxWindow) + " samples is not supported");
  if (shift < 1)
    bad("frame_shift", "frame_shift=" + num(frame_shift) + " ms is " + num(shift) + " samples at " + num(sr) +
                           " Hz; it must be at least 1");
  if (padded_window_size(sr) % 2 != 0)
    bad("frame_length", "frame_length=" + num(frame_length) + " ms gives an odd window of " + num(size) +
                            " samples at " + num(sr) +
                            " Hz; the padded window must be even: set round_to_power_of_two or change frame_length");
  if (!(preemphasis_coefficient >= 0.0 && preemphasis_coefficient <= 1.0))
    bad("preemphasis_coefficient", "preemphasis_coefficient=" + num(preemphasis_coefficient) + " must be in [0, 1]");
  if (!(dither >= 0.0)) bad("dither", "dither=" + num(dither) + " must be >= 0");
  if (!(energy_floor >= 0.0)) bad("energy_floor", "energy_floor=" + num(energy_floor) + " must be >= 0");
  if (vtln_warp != 1.0)
    bad("vtln_warp", "vtln_warp=" + num(vtln_warp) + " is not supported (vocal tract length warping); allowed: 1");
  if (feature == KaldiFeature::kSpectrogram) return;
  if (num_mel_bins <= 3 || num_mel_bins > 65536)
    bad("num_mel_bins", "num_mel_bins=" + num(num_mel_bins) + " must be in [4, 65536]");
  const double nyquist = 0.5 * sr, high = high_freq <= 0.0 ? high_freq + nyquist : high_freq;
  if (!(low_freq >= 0.0 && low_freq < nyquist))
    bad("low_freq", "low_freq=" + num(low_freq) + " must be in [0, " + num(nyquist) + ") at " + num(sr) + " Hz");
  if (!(high > 0.0 && high <= nyquist && low_freq < high))
    bad("high_freq", "high_freq=" + num(high_freq) + " gives " + num(high) + " Hz; it must be in (low_freq=" +
                         num(low_freq) + ", " + num(nyquist) + "] (<= 0: an offset from " + num(nyquist) + ")");
  if (feature != KaldiFeature::kMfcc) return;
  if (num_ceps < 1 || num_ceps > num_mel_bins)
    bad("num_ceps", "num_ceps=" + num(num_ceps) + " must be in [1, num_mel_bins=" + num(num_mel_bins) + "]");
  if (!use_power) bad("use_power", "use_power=false is an fbank option; MFCC reads the log power fbank");
  if (!use_log_fbank) bad("use_log_fbank", "use_log_fbank=false is an fbank option; MFCC reads the log power fbank");
}

struct KaldiComputer::Impl {
  int size = 0, shift = 0, padded = 0, pad = 0;  // pad: reflected samples before frame 0 (snip_edges false)
  std::vector<float> window;
  std::vector<MelBin> mel;
  std::vector<double> dct;
  std::shared_ptr<const detail::RealFft<float>> fft;

  // One frame's spectrum (power or magnitude as `power`) into `spec`; returns its log energy.
  double frame(const KaldiOptions& o, std::span<const float> x, std::size_t origin, std::size_t t, float* buf,
               std::complex<float>* bins) const;
  void features(const KaldiOptions& o, double log_energy, const std::complex<float>* bins, float* out,
                std::size_t stride) const;
};

double KaldiComputer::Impl::frame(const KaldiOptions& o, std::span<const float> x, std::size_t origin, std::size_t t,
                                  float* buf, std::complex<float>* bins) const {
  // x holds samples [origin, n) of the signal; indices below are the signal's.
  const auto from = static_cast<std::ptrdiff_t>(origin), n = from + static_cast<std::ptrdiff_t>(x.size());
  const std::ptrdiff_t start = static_cast<std::ptrdiff_t>(t) * shift - pad;
  if (start >= from && start + size <= n) std::copy_n(x.data() + (start - from), size, buf);  // inside the signal
  else
    for (int k = 0; k < size; ++k) {  // _get_strided: ends reflected ([2, 1, 0] | 0 1 2 ... | [.., 1, 0])
      std::ptrdiff_t i = start + k;
      if (i < 0) i = -i - 1;
      if (i >= n) i = 2 * n - 1 - i;
      buf[k] = x[static_cast<std::size_t>(std::clamp<std::ptrdiff_t>(i, from, n - 1) - from)];
    }
  if (o.dither != 0.0)
    for (int k = 0; k < size; ++k)
      buf[k] += static_cast<float>(o.dither * gaussian(o.dither_seed, t, static_cast<std::uint64_t>(k)));
  if (o.remove_dc_offset) {
    double sum = 0.0;
    for (int k = 0; k < size; ++k) sum += buf[k];
    const auto mean = static_cast<float>(sum / size);
    for (int k = 0; k < size; ++k) buf[k] -= mean;
  }
  auto log_energy = [&] {
    double e = 0.0;
    for (int k = 0; k < size; ++k) e += static_cast<double>(buf[k]) * buf[k];
    double le = std::log(std::max(e, kEpsilon));
    if (o.energy_floor != 0.0) le = std::max(le, std::log(o.energy_floor));
    return le;
  };
  double energy = o.raw_energy ? log_energy() : 0.0;
  if (o.preemphasis_coefficient != 0.0) {
    const auto c = static_cast<float>(o.preemphasis_coefficient);
    for (int k = size - 1; k > 0; --k) buf[k] -= c * buf[k - 1];
    buf[0] -= c * buf[0];
  }
  for (int k = 0; k < size; ++k) buf[k] *= window[static_cast<std::size_t>(k)];
  if (!o.raw_energy) energy = log_energy();
  fft->forward(buf, bins);
  return energy;
}

void KaldiComputer::Impl::features(const KaldiOptions& o, double log_energy, const std::complex<float>* bins,
                                   float* out, std::size_t stride) const {
  const std::size_t n_bins = static_cast<std::size_t>(padded / 2 + 1);
  if (o.feature == KaldiFeature::kSpectrogram) {
    out[0] = static_cast<float>(log_energy);
    for (std::size_t k = 1; k < n_bins; ++k)
      out[k * stride] = static_cast<float>(std::log(std::max<double>(std::norm(bins[k]), kEpsilon)));
    return;
  }
  const bool energy_first = o.use_energy && !o.htk_compat && o.feature == KaldiFeature::kFbank;
  float mels[1024];
  std::vector<float> big;
  float* m = mels;
  if (mel.size() > 1024) big.resize(mel.size()), m = big.data();
  for (std::size_t b = 0; b < mel.size(); ++b) {
    double s = 0.0;
    const MelBin& bin = mel[b];
    for (std::size_t j = 0; j < bin.weights.size(); ++j) {
      const std::complex<float> c = bins[bin.first + j];
      const double p = std::norm(c);
      s += bin.weights[j] * (o.use_power ? p : std::sqrt(p));
    }
    m[b] = static_cast<float>(o.use_log_fbank ? std::log(std::max(s, kEpsilon)) : s);
  }
  if (o.feature == KaldiFeature::kFbank) {
    const std::size_t off = energy_first ? 1 : 0;
    for (std::size_t b = 0; b < mel.size(); ++b) out[(b + off) * stride] = m[b];
    if (o.use_energy) out[(o.htk_compat ? mel.size() : 0) * stride] = static_cast<float>(log_energy);
    return;
  }
  // MFCC: the DCT of the log fbank, liftered; C0 is the energy with use_energy; htk_compat puts C0 last.
  const auto n_mels = mel.size();
  const auto n_ceps = static_cast<std::size_t>(o.num_ceps);
  for (std::size_t k = 0; k < n_ceps; ++k) {
    double c = 0.0;
    for (std::size_t b = 0; b < n_mels; ++b) c += dct[k * n_mels + b] * m[b];
    if (k == 0 && o.use_energy) c = log_energy;
    if (k == 0 && o.htk_compat && !o.use_energy) c *= std::numbers::sqrt2;
    const std::size_t row = o.htk_compat ? (k == 0 ? n_ceps - 1 : k - 1) : k;
    out[row * stride] = static_cast<float>(c);
  }
}

KaldiComputer::KaldiComputer(const KaldiOptions& options, double sample_rate)
    : options_(options), sample_rate_(sample_rate), impl_(std::make_unique<Impl>()) {
  options_.validate(sample_rate);
  Impl& i = *impl_;
  i.size = options_.window_size(sample_rate);
  i.shift = options_.window_shift(sample_rate);
  i.padded = options_.padded_window_size(sample_rate);
  i.pad = options_.snip_edges ? 0 : i.size / 2 - i.shift / 2;
  i.window = kaldi_window(options_.window_type, i.size, options_.blackman_coeff);
  if (options_.feature != KaldiFeature::kSpectrogram) i.mel = kaldi_mel_bins(options_, i.padded, sample_rate);
  if (options_.feature == KaldiFeature::kMfcc)
    i.dct = kaldi_dct(options_.num_ceps, options_.num_mel_bins, options_.cepstral_lifter);
  i.fft = detail::make_real_fft<float>(i.padded);
}

KaldiComputer::~KaldiComputer() = default;
KaldiComputer::KaldiComputer(KaldiComputer&&) noexcept = default;
KaldiComputer& KaldiComputer::operator=(KaldiComputer&&) noexcept = default;

std::size_t KaldiComputer::n_bins() const {
  switch (options_.feature) {
    case KaldiFeature::kFbank: return static_cast<std::size_t>(options_.num_mel_bins + (options_.use_energy ? 1 : 0));
    case KaldiFeature::kMfcc: return static_cast<std::size_t>(options_.num_ceps);
    case KaldiFeature::kSpectrogram: return static_cast<std::size_t>(impl_->padded / 2 + 1);
  }
  return 0;
}

std::size_t KaldiComputer::n_frames(std::size_t n) const {
  const auto size = static_cast<std::size_t>(impl_->size), shift = static_cast<std::size_t>(impl_->shift);
  if (options_.snip_edges) return n < size ? 0 : 1 + (n - size) / shift;
  return (n + shift / 2) / shift;
}

std::size_t KaldiComputer::frame_begin(std::size_t t) const {
  const auto start = static_cast<std::ptrdiff_t>(t) * impl_->shift - impl_->pad;
  return static_cast<std::size_t>(std::max<std::ptrdiff_t>(start, 0));
}

std::size_t KaldiComputer::frame_end(std::size_t t) const {
  return static_cast<std::size_t>(static_cast<std::ptrdiff_t>(t) * impl_->shift - impl_->pad + impl_->size);
}

void KaldiComputer::compute_frames(std::span<const float> samples, std::size_t first, std::size_t count, float* out,
                                   std::size_t stride, std::size_t col, std::size_t origin) const {
  if (count > 0 && frame_begin(first) < origin)
    throw Error(ErrorCode::kInvalidArgument, "samples",
                "compute_frames: frame " + num(first) + " reads sample " + num(frame_begin(first)) +
                    ", before the first one given (" + num(origin) + ")");
  detail::AlignedBuffer<float> buf(static_cast<std::size_t>(impl_->padded));  // zeros past the window stay zero
  detail::AlignedBuffer<std::complex<float>> bins(static_cast<std::size_t>(impl_->padded / 2 + 1));
  for (std::size_t t = first; t < first + count; ++t) {
    const double energy = impl_->frame(options_, samples, origin, t, buf.data(), bins.data());
    impl_->features(options_, energy, bins.data(), out + col + (t - first), stride);
  }
}

Matrix KaldiComputer::compute(std::span<const float> samples) const {
  for (std::size_t i = 0; i < samples.size(); ++i)
    if (!std::isfinite(samples[i]))
      throw Error(ErrorCode::kInvalidData, "y",
                  "input waveform: sample " + num(i) + " is " + num(samples[i]) + "; audio must be finite everywhere");
  if (samples.size() < static_cast<std::size_t>(impl_->size))
    throw Error(ErrorCode::kInvalidData, "frame_length",
                "input of " + num(samples.size()) +
                    " samples is shorter than one frame (frame_length=" + num(options_.frame_length) + " ms, " +
                    num(impl_->size) + " samples at " + num(sample_rate_) + " Hz)");
  const std::size_t frames = n_frames(samples.size());
  Matrix m = detail::huge_matrix(n_bins(), frames);
  compute_frames(samples, 0, frames, m.data.data(), frames, 0);
  if (options_.subtract_mean && frames > 0)
    for (std::size_t b = 0; b < m.rows; ++b) {
      double sum = 0.0;
      for (float v : m.row(b)) sum += v;
      const auto mean = static_cast<float>(sum / static_cast<double>(frames));
      for (float& v : m.row(b)) v -= mean;
    }
  return m;
}

}  // namespace melnorm
