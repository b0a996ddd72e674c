// Decibel conversion with librosa's power_to_db / amplitude_to_db semantics:
//   dB = 10 log10(max(amin, S)) - 10 log10(max(amin, ref)), then, with top_db,
//   floored at max(dB) - top_db. For amplitudes, S, ref and amin are squared first.
//   With DbFloor::kRelative, amin is replaced by amin * ref (a floor relative to the reference).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace melnorm {

enum class DbReference {
  kValue,       // ref = DbOptions::ref_value (librosa ref=1.0 by default)
  kMax,         // ref = the spectrogram's own maximum (librosa ref=np.max): peak is 0 dB
  kPercentile,  // ref = a percentile of the spectrogram's values (DbOptions::ref_percentile):
                // one click or outlier bin cannot set the 0 dB level
};

// Where the floor amin applies. With kRelative the power is floored at
// amin x ref instead of amin, so scaling the waveform by any gain leaves the
// dB spectrogram unchanged (with ref = max): the floor moves with the clip.
// The noise floors (issue 17) follow the clip's own noise instead: a quiet
// clip's quantization or background noise is gated where amin x ref would
// let it fill the whole dB range, and a gain still moves floor and signal together.
enum class DbFloor {
  kAbsolute,         // max(amin, S): librosa's power_to_db
  kRelative,         // max(amin * ref, S)
  kNoise,            // per band: the mean power of the clip's quietest floor_percentile % of frames
  kNoisePercentile,  // one floor: the floor_percentile-th percentile of all the clip's values
};

struct DbOptions {
  bool enabled = true;  // false: keep the linear spectrogram
  DbReference reference = DbReference::kMax;
  double ref_value = 1.0;               // with kValue, in the spectrogram's units (> 0)
  double ref_percentile = 99.5;         // with kPercentile, in (0, 100]; linear interpolation (numpy's)
  std::optional<double> amin;           // floor in the spectrogram's units; unset means
                                        // 1e-10 for power, 1e-5 for amplitude (librosa)
  std::optional<double> top_db = 80.0;  // dB below the peak to floor at; unset: no floor
  DbFloor floor = DbFloor::kAbsolute;
  double floor_percentile = 20.0;  // the noise floors' share of frames / percentile, in (0, 100);
                                   // a noise floor is never below the relative one
  void validate() const;
};

// In-place; S holds power (|X|^2) values, n_bands rows of frames (the noise
// floor is per band; other floors ignore the rows). Never produces NaN for finite input.
void power_to_db(std::span<float> s, const DbOptions& options, std::size_t n_bands = 1);
// In-place; S holds magnitudes (|X|).
void amplitude_to_db(std::span<float> s, const DbOptions& options, std::size_t n_bands = 1);

// The noise floor of each band of a power spectrogram (n_bands rows of frames)
// under options.floor kNoise or kNoisePercentile, in power units, before the
// relative floor (amin x ref) below which it never goes; 0 for digital silence.
std::vector<double> noise_floor(std::span<const float> power, std::size_t n_bands, const DbOptions& options);

DbFloor parse_db_floor(std::string_view name);  // absolute | relative | noise | noise_percentile
std::string to_string(DbFloor floor);

// The reference as users write it: "off" (no dB), "ref1" (ref=1.0), "max",
// or "pP" (the P-th percentile, e.g. "p99.5"). Sets enabled/reference/ref_*.
void parse_db_ref(std::string_view spec, DbOptions& options);
std::string db_ref_name(const DbOptions& options);  // the inverse: "off", "ref1", "max", "p99.5", "ref=0.5"

}  // namespace melnorm
