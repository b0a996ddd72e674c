#include "melnorm/mel_filterbank.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/format.h"
#include "melnorm/error.h"

namespace melnorm {

using detail::num;

namespace {
// Slaney's Auditory Toolbox constants, as librosa.
constexpr double kSlaneyHzPerMel = 200.0 / 3.0;
constexpr double kSlaneyMinLogHz = 1000.0;
constexpr double kSlaneyMinLogMel = kSlaneyMinLogHz / kSlaneyHzPerMel;  // 15
const double kSlaneyLogStep = std::log(6.4) / 27.0;

// numpy.linspace(start, stop, num): start + i * step, last value exactly stop.
std::vector<double> linspace(double start, double stop, int count) {
  std::vector<double> v(static_cast<std::size_t>(count));
  const double step = count > 1 ? (stop - start) / (count - 1) : 0.0;
  for (int i = 0; i < count; ++i) v[i] = i * step + start;
  if (count > 1) v.back() = stop;
  return v;
}
}  // namespace

MelScale parse_mel_scale(std::string_view name, std::string param) {
  if (name == "slaney") return MelScale::kSlaney;
  if (name == "htk") return MelScale::kHtk;
  throw_invalid_argument(param, param + "='" + std::string(name) + "' is not a mel scale; allowed: slaney, htk");
}

FilterNorm parse_filter_norm(std::string_view name, std::string param) {
  if (name == "slaney") return FilterNorm::kSlaney;
  if (name == "none") return FilterNorm::kNone;
  throw_invalid_argument(param,
                         param + "='" + std::string(name) + "' is not a filter normalization; allowed: slaney, none");
}

std::string to_string(MelScale scale) { return scale == MelScale::kSlaney ? "slaney" : "htk"; }
std::string to_string(FilterNorm norm) { return norm == FilterNorm::kSlaney ? "slaney" : "none"; }

double hz_to_mel(double hz, MelScale scale) {
  if (scale == MelScale::kHtk) return 2595.0 * std::log10(1.0 + hz / 700.0);
  if (hz >= kSlaneyMinLogHz) return kSlaneyMinLogMel + std::log(hz / kSlaneyMinLogHz) / kSlaneyLogStep;
  return hz / kSlaneyHzPerMel;
}

double mel_to_hz(double mel, MelScale scale) {
  if (scale == MelScale::kHtk) return 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0);
  if (mel >= kSlaneyMinLogMel) return kSlaneyMinLogHz * std::exp(kSlaneyLogStep * (mel - kSlaneyMinLogMel));
  return kSlaneyHzPerMel * mel;
}

void MelOptions::validate(double sample_rate) const {
  if (!(sample_rate > 0) || !std::isfinite(sample_rate))
    throw_invalid_argument("sr", "sr=" + num(sample_rate) + " must be a positive sample rate in Hz");
  if (n_mels <= 0) throw_invalid_argument("n_mels", "n_mels=" + num(n_mels) + " must be a positive integer");
  if (!(fmin >= 0) || !std::isfinite(fmin)) throw_invalid_argument("fmin", "fmin=" + num(fmin) + " must be >= 0 Hz");
  const double nyquist = sample_rate / 2.0;
  if (fmax) {
    if (!(*fmax > 0) || !std::isfinite(*fmax))
      throw_invalid_argument("fmax", "fmax=" + num(*fmax) + " must be a positive frequency in Hz");
    if (*fmax > nyquist)
      throw_invalid_argument(
          "fmax", "fmax=" + num(*fmax) + " must be <= sr/2 = " + num(nyquist) + " Hz (the Nyquist frequency)");
  }
  const double top = effective_fmax(sample_rate);
  if (fmin >= top) throw_invalid_argument("fmin", "fmin=" + num(fmin) + " must be < fmax=" + num(top) + " Hz");
}

MelFilterbank::MelFilterbank(double sample_rate, int n_fft, const MelOptions& options) {
  options.validate(sample_rate);
  if (n_fft <= 0) throw_invalid_argument("n_fft", "n_fft=" + num(n_fft) + " must be a positive integer");
  const int n_mels = options.n_mels;
  n_bins_ = n_fft / 2 + 1;

  // numpy.fft.rfftfreq(n_fft, 1/sr)
  std::vector<double> fft_hz(static_cast<std::size_t>(n_bins_));
  const double bin_hz = 1.0 / (n_fft * (1.0 / sample_rate));
  for (int k = 0; k < n_bins_; ++k) fft_hz[k] = k * bin_hz;

  const double mel_lo = hz_to_mel(options.fmin, options.scale);
  const double mel_hi = hz_to_mel(options.effective_fmax(sample_rate), options.scale);
  edges_hz_ = linspace(mel_lo, mel_hi, n_mels + 2);
  for (double& e : edges_hz_) e = mel_to_hz(e, options.scale);

  first_bin_.resize(static_cast<std::size_t>(n_mels));
  offset_.assign(static_cast<std::size_t>(n_mels) + 1, 0);
  std::vector<float> row(static_cast<std::size_t>(n_bins_));
  std::vector<int> empty;
  for (int m = 0; m < n_mels; ++m) {
    const double lower_width = edges_hz_[m + 1] - edges_hz_[m];
    const double upper_width = edges_hz_[m + 2] - edges_hz_[m + 1];
    const double enorm = options.norm == FilterNorm::kSlaney ? 2.0 / (edges_hz_[m + 2] - edges_hz_[m]) : 1.0;
    int first = n_bins_, last = -1;
    for (int k = 0; k < n_bins_; ++k) {
      const double rising = (fft_hz[k] - edges_hz_[m]) / lower_width;
      const double falling = (edges_hz_[m + 2] - fft_hz[k]) / upper_width;
      // librosa stores the triangle in float32, then scales it (float32 * float64).
      float w = static_cast<float>(std::max(0.0, std::min(rising, falling)));
      if (options.norm == FilterNorm::kSlaney) w = static_cast<float>(static_cast<double>(w) * enorm);
      row[k] = w;
      if (w > 0.0f) {
        first = std::min(first, k);
        last = k;
      }
    }
    if (last < 0) {
      if (edges_hz_[m] != 0.0) empty.push_back(m);
      first = 0;
      last = -1;
    }
    first_bin_[m] = first;
    weights_.insert(weights_.end(), row.begin() + first, row.begin() + last + 1);
    offset_[m + 1] = weights_.size();
  }
  if (!empty.empty()) {
    std::string list;
    for (std::size_t i = 0; i < empty.size() && i < 8; ++i) list += (i ? ", " : "") + std::to_string(empty[i]);
    if (empty.size() > 8) list += ", ...";
    warn("empty filters in the mel basis (" + std::to_string(empty.size()) + " of " + std::to_string(n_mels) + ": " +
         list +
         "); those bands will always be zero. Increase n_fft or the sample rate, "
         "or reduce n_mels (n_fft=" +
         num(n_fft) + ", n_mels=" + num(n_mels) + ")");
  }
}

std::vector<float> MelFilterbank::dense() const {
  std::vector<float> d(static_cast<std::size_t>(n_mels()) * n_bins_, 0.0f);
  for (int m = 0; m < n_mels(); ++m) {
    auto w = weights(m);
    std::copy(w.begin(), w.end(), d.begin() + static_cast<std::size_t>(m) * n_bins_ + first_bin_[m]);
  }
  return d;
}

namespace {

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target_clones("avx2", "default")))
#endif
void apply_sparse_frames(const float* __restrict weights, const std::size_t* offset, const int* first_bin, int n_mels,
                         const float* __restrict spectra, std::size_t bin_stride, std::size_t n_frames,
                         float* __restrict out, std::size_t out_stride) {
  const float* w = weights;
  for (int m = 0; m < n_mels; ++m) {
    float* __restrict o = out + static_cast<std::size_t>(m) * out_stride;
    for (std::size_t t = 0; t < n_frames; ++t) o[t] = 0.0f;
    const std::size_t len = offset[m + 1] - offset[m];
    for (std::size_t k = 0; k < len; ++k) {
      const float wk = w[k];
      const float* __restrict s = spectra + (static_cast<std::size_t>(first_bin[m]) + k) * bin_stride;
      for (std::size_t t = 0; t < n_frames; ++t) o[t] += wk * s[t];
    }
    w += len;
  }
}

}  // namespace

void MelFilterbank::apply(const float* spectrum, float* out, std::size_t out_stride) const {
  apply_frames(spectrum, 1, 1, out, out_stride);  // one frame: bin stride 1
}

void MelFilterbank::apply_frames(const float* spectra, std::size_t bin_stride, std::size_t n_frames, float* out,
                                 std::size_t out_stride) const {
  apply_sparse_frames(weights_.data(), offset_.data(), first_bin_.data(), n_mels(), spectra, bin_stride, n_frames, out,
                      out_stride);
}

}  // namespace melnorm
