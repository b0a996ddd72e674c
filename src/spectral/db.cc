#include "melnorm/db.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "core/format.h"
#include "melnorm/error.h"

namespace melnorm {

using detail::num;

void DbOptions::validate() const {
  if (!enabled) return;
  if (reference == DbReference::kValue && !(ref_value > 0 && std::isfinite(ref_value)))
    throw_invalid_argument("ref", "ref=" + num(ref_value) + " must be a positive, finite value");
  if (reference == DbReference::kPercentile && !(ref_percentile > 0 && ref_percentile <= 100))
    throw_invalid_argument("ref", "ref percentile " + num(ref_percentile) + " must be in (0, 100]");
  if (amin && !(*amin > 0 && std::isfinite(*amin)))
    throw_invalid_argument("amin", "amin=" + num(*amin) + " must be strictly positive");
  if (top_db && !(*top_db >= 0 && std::isfinite(*top_db)))
    throw_invalid_argument("top_db", "top_db=" + num(*top_db) + " must be non-negative (or none)");
  if (!(floor_percentile > 0 && floor_percentile < 100))
    throw_invalid_argument("db_floor_percentile",
                           "db_floor_percentile=" + num(floor_percentile) + " must be in (0, 100)");
}

namespace {

// log2 of a positive, normal, finite float, in a form the compiler vectorises
// (glibc's log2f is a call per value): x = 2^e * m with m in [sqrt(1/2), sqrt(2)),
// log2(m) = (2 / ln 2) atanh(z), z = (m - 1) / (m + 1), |z| < 0.172, by its odd
// series to z^9 (the next term is below 1e-9). Within 2 ulp of log2f.
inline float log2_normal(float x) {
  std::uint32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  // All integer arithmetic, no branches or conditional float operations, so
  // the loop vectorises under -ftrapping-math.
  std::uint32_t mantissa_bits = (bits & 0x007fffffu) | 0x3f800000u;  // m in [1, 2)
  const std::uint32_t high = mantissa_bits > 0x3fb504f3u ? 1u : 0u;  // m > sqrt(2): use m / 2
  mantissa_bits -= high << 23;
  const float e = static_cast<float>(static_cast<std::int32_t>(bits >> 23) - 127 + static_cast<std::int32_t>(high));
  float m;
  std::memcpy(&m, &mantissa_bits, sizeof m);
  const float z = (m - 1.0f) / (m + 1.0f), z2 = z * z;
  constexpr float c1 = 2.8853900817779268f, c3 = 0.96179669392597560f, c5 = 0.57707801635558536f,
                  c7 = 0.41219858311113240f, c9 = 0.32059889797532520f;  // 2 / (k ln 2)
  return e + z * (c1 + z2 * (c3 + z2 * (c5 + z2 * (c7 + z2 * c9))));
}

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target_clones("avx2", "default")))
#endif
void db_of_normal(float* __restrict s, std::size_t n, float floor_value, float offset) {
  // 10 log10(x) = (10 log10 2) log2(x).
  constexpr float kDbPerOctave = 3.0102999566398120f;
  for (std::size_t i = 0; i < n; ++i) s[i] = kDbPerOctave * log2_normal(std::max(floor_value, s[i])) - offset;
}

// dB of power values: 10 log10(max(amin, s)) - 10 log10(max(amin, ref)),
// floored at (max dB - top_db). `ref` already resolved.
void power_to_db_resolved(std::span<float> s, double ref, double amin, std::optional<double> top_db) {
  // Per value in float32, as librosa computes it for float32 input (and
  // twice as fast as double); the reference offset is exact.
  const float offset = static_cast<float>(10.0 * std::log10(std::max(amin, ref)));
  const float famin = static_cast<float>(amin);
  // The vectorised log2 needs normal, finite values: max(amin, v) is one when
  // amin is a normal float and v is finite (always, for spectrograms).
  bool normal = famin >= std::numeric_limits<float>::min();
  for (float v : s) normal &= v <= std::numeric_limits<float>::max();  // false for +inf and NaN too
  if (normal) {
    db_of_normal(s.data(), s.size(), famin, offset);
  } else {
    constexpr float kDbPerOctave = 3.0102999566398120f;
    for (float& v : s) v = kDbPerOctave * std::log2(std::max(famin, v)) - offset;
  }
  if (top_db && !s.empty()) {
    float peak = -INFINITY;
    for (float v : s) peak = std::max(peak, v);
    const float floor = static_cast<float>(peak - *top_db);
    for (float& v : s) v = std::max(v, floor);
  }
}

double max_of(std::span<const float> s) {
  double m = 0.0;  // spectrogram values are non-negative
  for (float v : s) m = std::max(m, static_cast<double>(v));
  return m;
}

// numpy.percentile(s, p) with linear interpolation, in O(n).
double percentile_of(std::span<const float> s, double p) {
  if (s.empty()) return 0.0;
  std::vector<float> v(s.begin(), s.end());
  const double rank = p / 100.0 * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(rank);
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(lo), v.end());
  const double a = v[lo];
  if (lo + 1 >= v.size()) return a;
  // The next order statistic is the minimum of the part above lo.
  const double b = *std::min_element(v.begin() + static_cast<std::ptrdiff_t>(lo) + 1, v.end());
  return a + (rank - static_cast<double>(lo)) * (b - a);
}

double reference_of(std::span<const float> s, const DbOptions& o) {
  switch (o.reference) {
    case DbReference::kMax: return max_of(s);
    case DbReference::kPercentile: return percentile_of(s, o.ref_percentile);
    case DbReference::kValue: break;
  }
  return o.ref_value;
}

// The floor in the spectrogram's (power) units. A relative floor of a silent
// clip (ref 0) falls back to the absolute one: there is nothing to be relative
// to. The noise floors stand on the relative one.
double floor_of(const DbOptions& o, double amin, double ref) {
  return o.floor != DbFloor::kAbsolute && ref > 0 ? amin * ref : amin;
}

bool is_noise_floor(DbFloor f) { return f == DbFloor::kNoise || f == DbFloor::kNoisePercentile; }

// Raises each band's values to its noise floor (above `under`, the relative floor).
void apply_noise_floor(std::span<float> s, std::size_t n_bands, const DbOptions& o, double under) {
  const std::vector<double> floors = noise_floor(s, n_bands, o);
  const std::size_t frames = s.size() / n_bands;
  for (std::size_t b = 0; b < n_bands; ++b) {
    const auto f = static_cast<float>(std::max(floors[b], under));
    for (float& v : s.subspan(b * frames, frames)) v = std::max(v, f);
  }
}

void to_db(std::span<float> s, const DbOptions& o, std::size_t n_bands, double amin, double ref) {
  if (n_bands == 0 || s.size() % n_bands != 0)
    throw_invalid_argument("n_bands", num(s.size()) + " values are not " + num(n_bands) + " bands of frames");
  const double under = floor_of(o, amin, ref);
  if (is_noise_floor(o.floor) && !s.empty()) apply_noise_floor(s, n_bands, o, under);
  power_to_db_resolved(s, ref, under, o.top_db);
}

}  // namespace

std::vector<double> noise_floor(std::span<const float> power, std::size_t n_bands, const DbOptions& o) {
  if (n_bands == 0 || power.size() % n_bands != 0)
    throw_invalid_argument("n_bands", num(power.size()) + " values are not " + num(n_bands) + " bands of frames");
  const std::size_t frames = power.size() / n_bands;
  if (frames == 0) return std::vector<double>(n_bands, 0.0);
  if (o.floor == DbFloor::kNoisePercentile)
    return std::vector<double>(n_bands, percentile_of(power, o.floor_percentile));
  // kNoise: frames ranked by their total power; each band's mean over the quietest share
  // (a mean, not a minimum: unbiased for noise-only frames, the idea of minimum statistics).
  std::vector<std::pair<double, std::size_t>> loudness(frames);
  for (std::size_t t = 0; t < frames; ++t) {
    double sum = 0.0;
    for (std::size_t b = 0; b < n_bands; ++b) sum += power[b * frames + t];
    loudness[t] = {sum, t};
  }
  const auto quiet = std::max<std::size_t>(
      1, static_cast<std::size_t>(std::llround(o.floor_percentile / 100.0 * static_cast<double>(frames))));
  std::nth_element(loudness.begin(), loudness.begin() + static_cast<std::ptrdiff_t>(quiet - 1), loudness.end());
  std::vector<double> floors(n_bands, 0.0);
  for (std::size_t b = 0; b < n_bands; ++b) {
    for (std::size_t k = 0; k < quiet; ++k) floors[b] += power[b * frames + loudness[k].second];
    floors[b] /= static_cast<double>(quiet);
  }
  return floors;
}

void power_to_db(std::span<float> s, const DbOptions& options, std::size_t n_bands) {
  options.validate();
  const double ref = reference_of(s, options);
  to_db(s, options, n_bands, options.amin.value_or(1e-10), ref);
}

DbFloor parse_db_floor(std::string_view name) {
  if (name == "absolute") return DbFloor::kAbsolute;
  if (name == "relative") return DbFloor::kRelative;
  if (name == "noise") return DbFloor::kNoise;
  if (name == "noise_percentile") return DbFloor::kNoisePercentile;
  throw_invalid_argument("db_floor", "db_floor='" + std::string(name) +
                                         "' is not supported; allowed: absolute, relative, noise, noise_percentile");
}

std::string to_string(DbFloor floor) {
  switch (floor) {
    case DbFloor::kAbsolute: return "absolute";
    case DbFloor::kRelative: return "relative";
    case DbFloor::kNoise: return "noise";
    case DbFloor::kNoisePercentile: return "noise_percentile";
  }
  return "?";
}

void parse_db_ref(std::string_view spec, DbOptions& o) {
  auto unsupported = [&] {
    throw_invalid_argument(
        "db", "db='" + std::string(spec) +
                  "' is not supported; allowed: off, ref1, max, or pP for the P-th percentile (e.g. p99.5)");
  };
  if (spec == "off") {
    o.enabled = false;
    return;
  }
  o.enabled = true;
  if (spec == "ref1") {
    o.reference = DbReference::kValue;
    o.ref_value = 1.0;
    return;
  }
  if (spec == "max") {
    o.reference = DbReference::kMax;
    return;
  }
  if (spec.size() < 2 || spec[0] != 'p') unsupported();
  const std::string digits(spec.substr(1));
  std::size_t used = 0;
  double p = 0;
  try {
    p = std::stod(digits, &used);
  } catch (const std::exception&) { unsupported(); }
  if (used != digits.size() || !(p > 0 && p <= 100))
    throw_invalid_argument("db",
                           "db='" + std::string(spec) + "': the percentile must be a number in (0, 100], e.g. p99.5");
  o.reference = DbReference::kPercentile;
  o.ref_percentile = p;
}

std::string db_ref_name(const DbOptions& o) {
  if (!o.enabled) return "off";
  switch (o.reference) {
    case DbReference::kMax: return "max";
    case DbReference::kPercentile: {
      std::string name = "p";  // appended, not "p" + num(): GCC 12's -Wrestrict false positive
      name += num(o.ref_percentile);
      return name;
    }
    case DbReference::kValue: break;
  }
  return o.ref_value == 1.0 ? "ref1" : "ref=" + num(o.ref_value);
}

void amplitude_to_db(std::span<float> s, const DbOptions& options, std::size_t n_bands) {
  options.validate();
  const double amin = options.amin.value_or(1e-5);
  for (float& v : s) v = v * v;  // librosa squares in the input's precision
  // A given ref is an amplitude; max and percentiles are taken of the squared values.
  const double ref =
      options.reference == DbReference::kValue ? options.ref_value * options.ref_value : reference_of(s, options);
  to_db(s, options, n_bands, amin * amin, ref);
}

}  // namespace melnorm
