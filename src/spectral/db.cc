#include "melnorm/db.h"

#include <algorithm>
#include <cmath>
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
}

namespace {

// dB of power values: 10 log10(max(amin, s)) - 10 log10(max(amin, ref)),
// floored at (max dB - top_db). `ref` already resolved.
void power_to_db_resolved(std::span<float> s, double ref, double amin, std::optional<double> top_db) {
  // Per value in float32, as librosa computes it for float32 input (and
  // twice as fast as double); the reference offset is exact.
  // 10 log10(x) = (10 log10 2) log2(x): glibc's log2f is table-driven and
  // faster than log10f, and as accurate.
  constexpr float kDbPerOctave = 3.0102999566398120f;
  const float offset = static_cast<float>(10.0 * std::log10(std::max(amin, ref)));
  const float famin = static_cast<float>(amin);
  float peak = -INFINITY;
  for (float& v : s) {
    v = kDbPerOctave * std::log2(std::max(famin, v)) - offset;
    peak = std::max(peak, v);
  }
  if (top_db && !s.empty()) {
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
// clip (ref 0) falls back to the absolute one: there is nothing to be relative to.
double floor_of(const DbOptions& o, double amin, double ref) {
  return o.floor == DbFloor::kRelative && ref > 0 ? amin * ref : amin;
}

}  // namespace

void power_to_db(std::span<float> s, const DbOptions& options) {
  options.validate();
  const double ref = reference_of(s, options);
  power_to_db_resolved(s, ref, floor_of(options, options.amin.value_or(1e-10), ref), options.top_db);
}

DbFloor parse_db_floor(std::string_view name) {
  if (name == "absolute") return DbFloor::kAbsolute;
  if (name == "relative") return DbFloor::kRelative;
  throw_invalid_argument("db_floor", "db_floor='" + std::string(name) + "' is not supported; allowed: absolute, relative");
}

std::string to_string(DbFloor floor) { return floor == DbFloor::kRelative ? "relative" : "absolute"; }

void parse_db_ref(std::string_view spec, DbOptions& o) {
  auto unsupported = [&] {
    throw_invalid_argument("db", "db='" + std::string(spec) +
                                     "' is not supported; allowed: off, ref1, max, or pP for the P-th percentile (e.g. p99.5)");
  };
  if (spec == "off") { o.enabled = false; return; }
  o.enabled = true;
  if (spec == "ref1") { o.reference = DbReference::kValue; o.ref_value = 1.0; return; }
  if (spec == "max") { o.reference = DbReference::kMax; return; }
  if (spec.size() < 2 || spec[0] != 'p') unsupported();
  const std::string digits(spec.substr(1));
  std::size_t used = 0;
  double p = 0;
  try {
    p = std::stod(digits, &used);
  } catch (const std::exception&) {
    unsupported();
  }
  if (used != digits.size() || !(p > 0 && p <= 100))
    throw_invalid_argument("db", "db='" + std::string(spec) + "': the percentile must be a number in (0, 100], e.g. p99.5");
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

void amplitude_to_db(std::span<float> s, const DbOptions& options) {
  options.validate();
  const double amin = options.amin.value_or(1e-5);
  for (float& v : s) v = v * v;  // librosa squares in the input's precision
  // A given ref is an amplitude; max and percentiles are taken of the squared values.
  const double ref = options.reference == DbReference::kValue ? options.ref_value * options.ref_value
                                                              : reference_of(s, options);
  power_to_db_resolved(s, ref, floor_of(options, amin * amin, ref), options.top_db);
}

}  // namespace melnorm
