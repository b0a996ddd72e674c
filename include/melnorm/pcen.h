// Per-channel energy normalization (Wang et al. 2017) with librosa.pcen's
// parameters, defaults and initial state, in a streaming form: feeding a
// spectrogram in chunks gives the same output as one call.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

namespace melnorm {

struct PcenOptions {
  double sr = 22050.0;         // sample rate of the audio, Hz
  int hop_length = 512;        // hop of the spectrogram, samples
  double gain = 0.98;          // alpha: how much of the smoothed energy is divided out
  double bias = 2.0;           // delta
  double power = 0.5;          // r: compression exponent (>= 0; 0 is log compression: log1p(S * smooth))
  double time_constant = 0.4;  // smoothing time constant, seconds
  double eps = 1e-6;           // floor of the smoothed energy
  double input_scale = 1.0;    // multiplies the input first (librosa examples use 2**31
                               // for magnitudes of [-1, 1] audio)
  std::optional<double> b;     // librosa's b: the smoothing coefficient in [0, 1], set
                               // directly (time_constant is then unused)
  void validate() const;
  // The smoothing coefficient b of librosa: `b` when set, else from time_constant in frames.
  double smoothing() const;
};

class Pcen {
 public:
  // `n_bands` rows; the filter state starts as librosa's default
  // (lfilter_zi: the steady state for an input of 1).
  Pcen(const PcenOptions& options, std::size_t n_bands);

  // One chunk [n_bands][frames] (row stride `stride` >= frames), in place.
  // The state carries over to the next call.
  void process(float* spectrogram, std::size_t frames, std::size_t stride);
  // The same with the smoothed energy taken from `reference` (librosa's ref,
  // e.g. a max-filtered copy of the spectrogram; row stride `reference_stride`).
  void process(float* spectrogram, const float* reference, std::size_t frames, std::size_t stride,
               std::size_t reference_stride);
  void process(std::span<float> spectrogram, std::size_t frames) { process(spectrogram.data(), frames, frames); }

  // Filter state per band (librosa's zf), and setting it (zi).
  const std::vector<double>& state() const { return state_; }
  void set_state(std::vector<double> zi);

 private:
  PcenOptions options_;
  double b_;
  std::vector<double> state_;
};

}  // namespace melnorm
