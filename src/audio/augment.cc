#include "melnorm/augment.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/format.h"
#include "melnorm/error.h"

namespace melnorm {

using detail::num;

namespace {

// The random streams of one (seed, epoch, clip), one per stage.
enum Stream : std::uint64_t { kNoiseLevel = 1, kNoiseSamples = 2, kGain = 3, kDither = 4 };

std::uint64_t mix(std::uint64_t z) {  // splitmix64's finalizer
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// A counter-based generator: the k-th number of a stream depends on nothing
// else, so every front end, thread and chunking draws the same values.
class Draws {
 public:
  Draws(std::uint64_t seed, std::uint64_t epoch, std::uint64_t clip, Stream s)
      : key_(mix(mix(mix(mix(seed) ^ epoch) ^ clip) ^ s)) {}
  double uniform(std::uint64_t k) const {  // [0, 1), 53 bits
    return static_cast<double>(mix(key_ ^ mix(k)) >> 11) * 0x1.0p-53;
  }
  double gaussian(std::uint64_t k) const {                            // Box-Muller on two uniforms
    const double u1 = 1.0 - uniform(2 * k), u2 = uniform(2 * k + 1);  // u1 in (0, 1]
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }

 private:
  std::uint64_t key_;
};

double draw_db(const DbRange& r, const Draws& d) { return r.lo + (r.hi - r.lo) * d.uniform(0); }

double mean_square(const std::vector<float>& y) {
  double power = 0.0;
  for (float v : y) power += static_cast<double>(v) * v;
  return y.empty() ? 0.0 : power / static_cast<double>(y.size());
}

// White noise, or pink through Paul Kellett's filter (-3 dB per octave within
// 0.05 dB above a few tens of Hz at any rate).
std::vector<double> noise(std::size_t n, NoiseColor color, const Draws& d) {
  std::vector<double> w(n);
  for (std::size_t i = 0; i < n; ++i) w[i] = d.gaussian(i);
  if (color == NoiseColor::kWhite) return w;
  double b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0;
  for (double& v : w) {
    b0 = 0.99886 * b0 + v * 0.0555179;
    b1 = 0.99332 * b1 + v * 0.0750759;
    b2 = 0.96900 * b2 + v * 0.1538520;
    b3 = 0.86650 * b3 + v * 0.3104856;
    b4 = 0.55000 * b4 + v * 0.5329522;
    b5 = -0.7616 * b5 - v * 0.0168980;
    const double pink = b0 + b1 + b2 + b3 + b4 + b5 + b6 + v * 0.5362;
    b6 = v * 0.115926;
    v = pink;
  }
  return w;
}

void add_noise(std::vector<float>& y, const Augmentation& a, const Draws& level, const Draws& samples) {
  const double signal = mean_square(y);
  const double snr_db = draw_db(*a.noise_snr_db, level);
  if (signal == 0.0) return;  // silence has no SNR to keep: nothing added
  const std::vector<double> n = noise(y.size(), a.noise_color, samples);
  double power = 0.0;
  for (double v : n) power += v * v;
  power /= static_cast<double>(n.size());
  const double scale = power > 0 ? std::sqrt(signal / std::pow(10.0, snr_db / 10.0) / power) : 0.0;
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = static_cast<float>(y[i] + scale * n[i]);
}

void apply_gain(std::vector<float>& y, double db) {
  const float g = static_cast<float>(std::pow(10.0, db / 20.0));
  for (float& v : y) v = std::clamp(v * g, -1.0f, 1.0f);
}

void requantize(std::vector<float>& y, int bits, const Draws* dither) {
  const double q = std::ldexp(1.0, bits - 1);
  for (std::size_t i = 0; i < y.size(); ++i) {
    const double d = dither ? dither->uniform(2 * i) - dither->uniform(2 * i + 1) : 0.0;  // TPDF, +-1 LSB
    y[i] = static_cast<float>(std::clamp(std::nearbyint(y[i] * q + d), -q, q - 1) / q);
  }
}

void check_range(const std::optional<DbRange>& r, const char* param, double lo, double hi) {
  if (!r) return;
  if (!std::isfinite(r->lo) || !std::isfinite(r->hi) || r->lo > r->hi || r->lo < lo || r->hi > hi)
    throw_invalid_argument(param, param_text(param) + ": the range from " + num(r->lo) + " to " + num(r->hi) +
                                      " dB must have its minimum first and lie within [" + num(lo) + ", " + num(hi) +
                                      "] dB");
}

}  // namespace

std::string to_string(const DbRange& r) { return r.lo == r.hi ? num(r.lo) : num(r.lo) + ":" + num(r.hi); }

std::string to_string(NoiseColor c) { return c == NoiseColor::kPink ? "pink" : "white"; }

NoiseColor parse_noise_color(std::string_view text) {
  if (text == "white") return NoiseColor::kWhite;
  if (text == "pink") return NoiseColor::kPink;
  throw_invalid_argument("noise_color",
                         param_text("noise_color", std::string(text)) + " is not a noise color; allowed: white, pink");
}

DbRange parse_db_range(std::string_view text, const std::string& param) {
  const std::string s(text);
  const std::size_t colon = s.find(':', s.empty() ? 0 : 1);
  auto number = [&](const std::string& part) {
    std::size_t used = 0;
    double v = 0;
    try {
      v = std::stod(part, &used);
    } catch (const std::exception&) { used = 0; }
    if (part.empty() || used != part.size() || !std::isfinite(v))
      throw_invalid_argument(param, param_text(param, s) + " must be MIN_DB:MAX_DB (e.g. -60:0) or one dB value");
    return v;
  };
  if (colon == std::string::npos) {
    const double v = number(s);
    return {v, v};
  }
  return {number(s.substr(0, colon)), number(s.substr(colon + 1))};
}

std::string Augmentation::name() const {
  if (!enabled()) return "none";
  std::string out;
  auto add = [&](const std::string& part) { out += (out.empty() ? "" : "+") + part; };
  if (noise_snr_db) add("noise" + to_string(*noise_snr_db) + (noise_color == NoiseColor::kPink ? "pink" : ""));
  if (gain_db) add("gain" + to_string(*gain_db));
  if (bits > 0) add("pcm" + num(bits) + (dither ? "dither" : ""));
  return out;
}

void Augmentation::validate() const {
  check_range(gain_db, "gain_db", -120, 60);
  check_range(noise_snr_db, "noise_snr_db", -30, 120);
  if (bits != 0 && (bits < 8 || bits > 24))
    throw_invalid_argument("bits", param_text("bits", num(bits)) + " must be in [8, 24] (PCM bits)");
  if (dither && bits == 0)
    throw_invalid_argument(
        "tpdf_dither", param_text("tpdf_dither") + " dithers the re-quantization: give " + param_text("bits") + " too");
}

std::vector<float> augment(const std::vector<float>& y, const Augmentation& a, std::uint64_t seed, std::uint64_t epoch,
                           std::uint64_t clip) {
  a.validate();
  std::vector<float> out = y;
  if (a.noise_snr_db) add_noise(out, a, Draws(seed, epoch, clip, kNoiseLevel), Draws(seed, epoch, clip, kNoiseSamples));
  if (a.gain_db) apply_gain(out, draw_db(*a.gain_db, Draws(seed, epoch, clip, kGain)));
  if (a.bits > 0) {
    const Draws dither(seed, epoch, clip, kDither);
    requantize(out, a.bits, a.dither ? &dither : nullptr);
  }
  return out;
}

std::vector<double> augmentation_noise(std::size_t n, NoiseColor color, std::uint64_t seed, std::uint64_t epoch,
                                       std::uint64_t clip) {
  return noise(n, color, Draws(seed, epoch, clip, kNoiseSamples));
}

std::vector<Augmentation> augmentation_grid(const std::vector<std::optional<DbRange>>& gains,
                                            const std::vector<int>& bits,
                                            const std::vector<std::optional<DbRange>>& noises, bool dither,
                                            NoiseColor color) {
  const std::vector<std::optional<DbRange>> off = {std::nullopt};
  const std::vector<int> no_bits = {0};
  std::vector<Augmentation> grid;
  for (const auto& g : gains.empty() ? off : gains)
    for (int b : bits.empty() ? no_bits : bits)
      for (const auto& n : noises.empty() ? off : noises) {
        Augmentation a{.gain_db = g, .bits = b, .dither = dither && b > 0, .noise_snr_db = n, .noise_color = color};
        a.validate();
        grid.push_back(a);
      }
  return grid;
}

}  // namespace melnorm
