// Training-time perturbations of a waveform: what a classifier should learn
// to ignore (a quieter or louder recording stored as PCM, background noise).
// One call perturbs one clip for one epoch; every random draw comes from
// (seed, epoch, clip), so the same three give the same bytes on every
// machine and in every front end (the CLI's experiment, Python's
// melnorm.augment, melnorm.torch's transforms with a seed).
//
// The stages run in this order, each with its own random stream (so a stage
// draws the same numbers whether or not the others run):
//   1. noise: white or pink noise at an SNR drawn uniformly from a range,
//      relative to the clip's own power;
//   2. gain: a gain in dB drawn uniformly from a range, then clipping to [-1, 1];
//   3. requantize: rounded to a PCM grid of `bits` (optionally with TPDF
//      dither of one LSB peak-to-peak per draw), clipped to its range: how
//      the quieter recording would be stored.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace melnorm {

// [lo, hi] in dB; lo == hi is a fixed value.
struct DbRange {
  double lo = 0.0, hi = 0.0;
  bool operator==(const DbRange&) const = default;
};

enum class NoiseColor { kWhite, kPink };

struct Augmentation {
  std::optional<DbRange> gain_db;       // a uniform gain per clip and epoch
  int bits = 0;                         // > 0: re-quantized to this many PCM bits after the gain
  bool dither = false;                  // TPDF dither before re-quantizing (needs bits)
  std::optional<DbRange> noise_snr_db;  // additive noise at a uniform SNR per clip and epoch
  NoiseColor noise_color = NoiseColor::kWhite;

  bool enabled() const { return gain_db || bits > 0 || noise_snr_db; }
  // "none", "gain-60:0", "gain-60:0+pcm16", "noise20:40pink+gain-20:0+pcm16dither" (results.csv).
  std::string name() const;
  // Throws Error(kInvalidArgument) naming gain_db, bits, tpdf_dither or noise_snr_db.
  void validate() const;
  bool operator==(const Augmentation&) const = default;
};

// "-60:0" -> {-60, 0}; "-20" -> {-20, -20}. Throws Error(param) naming the text and the form.
DbRange parse_db_range(std::string_view text, const std::string& param);
std::string to_string(const DbRange& r);              // "-60:0", or "-20" for a fixed value
NoiseColor parse_noise_color(std::string_view text);  // white | pink; throws Error("noise_color")
std::string to_string(NoiseColor c);

// `y` perturbed for (seed, epoch, clip). Samples stay in [-1, 1] after the gain
// stage; the output has y's length. Throws Error for an invalid augmentation.
std::vector<float> augment(const std::vector<float>& y, const Augmentation& a, std::uint64_t seed, std::uint64_t epoch,
                           std::uint64_t clip);

// The noise stage's unit noise for (seed, epoch, clip) before it is scaled to
// the SNR: n standard normal values, pink-filtered for kPink (front ends that
// draw on their own device use it for the pink filter).
std::vector<double> augmentation_noise(std::size_t n, NoiseColor color, std::uint64_t seed, std::uint64_t epoch,
                                       std::uint64_t clip);

// Every combination of the given dimensions (std::nullopt / 0: that stage off),
// in order gain x bits x noise: the experiment's augmentation grid.
std::vector<Augmentation> augmentation_grid(const std::vector<std::optional<DbRange>>& gains,
                                            const std::vector<int>& bits,
                                            const std::vector<std::optional<DbRange>>& noises, bool dither,
                                            NoiseColor color);

}  // namespace melnorm
