// Waveform perturbations of the test audio: gain (then clipping to [-1, 1]),
// one full-scale click, additive white noise at an SNR. Deterministic: the
// click position and the noise come from `seed`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace melnorm::detail {

// A test condition: the clean audio, or one perturbation of it. Build one
// with the named constructors; each level has its own field and unit.
struct Condition {
  enum class Kind { kClean, kGain, kClick, kNoise };
  Kind kind = Kind::kClean;
  double gain_db = 0.0;  // kGain: the waveform scaled by this, then clipped to [-1, 1]
  double snr_db = 0.0;   // kNoise: white noise added at this signal-to-noise ratio
  int bits = 0;          // kGain, > 0: re-quantized to this many bits after the gain (PCM)

  static Condition clean() { return {}; }
  static Condition gain(double db, int pcm_bits = 0) { return {.kind = Kind::kGain, .gain_db = db, .bits = pcm_bits}; }
  static Condition click() { return {.kind = Kind::kClick}; }
  static Condition noise(double snr) { return {.kind = Kind::kNoise, .snr_db = snr}; }
  std::string name() const;  // "clean", "gain-40dB", "gain-40dB-pcm16", "click", "noise20dB"
};

std::vector<float> perturb(const std::vector<float>& y, const Condition& condition, std::uint64_t seed);

}  // namespace melnorm::detail
