// Decibel conversion with librosa's power_to_db / amplitude_to_db semantics:
//   dB = 10 log10(max(amin, S)) - 10 log10(max(amin, ref)), then, with top_db,
//   floored at max(dB) - top_db. For amplitudes, S, ref and amin are squared first.
#pragma once

#include <optional>
#include <span>

namespace melnorm {

enum class DbReference {
  kValue,  // ref = DbOptions::ref_value (librosa ref=1.0 by default)
  kMax,    // ref = the spectrogram's own maximum (librosa ref=np.max): peak is 0 dB
};

struct DbOptions {
  bool enabled = true;               // false: keep the linear spectrogram
  DbReference reference = DbReference::kMax;
  double ref_value = 1.0;            // with kValue, in the spectrogram's units (> 0)
  std::optional<double> amin;        // floor in the spectrogram's units; unset means
                                     // 1e-10 for power, 1e-5 for amplitude (librosa)
  std::optional<double> top_db = 80.0;  // dB below the peak to floor at; unset: no floor

  void validate() const;
};

// In-place; S holds power (|X|^2) values. Never produces NaN for finite input.
void power_to_db(std::span<float> s, const DbOptions& options);
// In-place; S holds magnitudes (|X|).
void amplitude_to_db(std::span<float> s, const DbOptions& options);

}  // namespace melnorm
