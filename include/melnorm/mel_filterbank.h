// Triangular mel filterbank, stored sparsely: each filter keeps only the
// FFT bins it touches, so applying it costs about 2 multiply-adds per bin.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace melnorm {

enum class MelScale {
  kSlaney,  // linear below 1 kHz, logarithmic above (librosa default, Auditory Toolbox)
  kHtk,     // 2595 * log10(1 + f / 700) (torchaudio default)
};
// How each triangular filter is scaled (librosa's and torchaudio's `norm`
// keyword). Not a spectrogram normalization: those live in normalize.h.
enum class FilterNorm {
  kNone,    // peak of each triangle is 1 (torchaudio default)
  kSlaney,  // each triangle divided by its width in Hz / 2: constant energy per band
};
MelScale parse_mel_scale(std::string_view name, std::string param = "mel_scale");
FilterNorm parse_filter_norm(std::string_view name, std::string param = "norm");
std::string to_string(MelScale scale);
std::string to_string(FilterNorm norm);
using MelNorm [[deprecated("renamed FilterNorm")]] = FilterNorm;
[[deprecated("renamed parse_filter_norm")]] inline FilterNorm parse_mel_norm(std::string_view name,
                                                                             std::string param = "norm") {
  return parse_filter_norm(name, std::move(param));
}

// Hz <-> mel on either scale (double precision, as librosa).
double hz_to_mel(double hz, MelScale scale);
double mel_to_hz(double mel, MelScale scale);

struct MelOptions {
  int n_mels = 128;            // number of mel bands
  double fmin = 0.0;           // lowest band edge, Hz
  std::optional<double> fmax;  // highest band edge, Hz; unset means sample_rate / 2
  MelScale scale = MelScale::kSlaney;
  FilterNorm norm = FilterNorm::kSlaney;

  // Throws Error naming the first invalid option (fmax > sr/2, fmin >= fmax, ...).
  void validate(double sample_rate) const;
  double effective_fmax(double sample_rate) const { return fmax ? *fmax : sample_rate / 2.0; }
};

class MelFilterbank {
 public:
  // Builds librosa.filters.mel(sr, n_fft, n_mels, fmin, fmax, htk, norm).
  // Warns (does not throw) when some filters come out empty.
  MelFilterbank(double sample_rate, int n_fft, const MelOptions& options);

  int n_mels() const { return static_cast<int>(first_bin_.size()); }
  int n_bins() const { return n_bins_; }
  // Band edges in Hz: n_mels + 2 values.
  const std::vector<double>& band_edges_hz() const { return edges_hz_; }
  // Filter m's non-zero span: bins [first_bin(m), first_bin(m) + weights(m).size()).
  int first_bin(int m) const { return first_bin_[m]; }
  std::span<const float> weights(int m) const { return {weights_.data() + offset_[m], offset_[m + 1] - offset_[m]}; }
  // Dense [n_mels][n_bins] copy, for inspection and tests.
  std::vector<float> dense() const;

  // out[m] = sum_k weights(m)[k] * spectrum[first_bin(m) + k]; spectrum has n_bins values.
  void apply(const float* spectrum, float* out, std::size_t out_stride = 1) const;
  // The same for n_frames spectra stored bin-major (spectra[k * bin_stride + t]):
  // out[m * out_stride + t]. The inner loop runs over frames, so it vectorises
  // however short the filters are; sums run over k in order for every frame.
  void apply_frames(const float* spectra, std::size_t bin_stride, std::size_t n_frames, float* out,
                    std::size_t out_stride) const;

 private:
  int n_bins_ = 0;
  std::vector<double> edges_hz_;
  std::vector<int> first_bin_;
  std::vector<std::size_t> offset_;  // n_mels + 1 offsets into weights_
  std::vector<float> weights_;
};

}  // namespace melnorm
