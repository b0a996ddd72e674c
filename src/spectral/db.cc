#include "melnorm/db.h"

#include <algorithm>
#include <cmath>

#include "core/format.h"
#include "melnorm/error.h"

namespace melnorm {

using detail::num;

void DbOptions::validate() const {
  if (!enabled) return;
  if (reference == DbReference::kValue && !(ref_value > 0 && std::isfinite(ref_value)))
    throw_invalid_argument("ref", "ref=" + num(ref_value) + " must be a positive, finite value");
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

}  // namespace

namespace {

// The floor in the spectrogram's (power) units. A relative floor of a silent
// clip (ref 0) falls back to the absolute one: there is nothing to be relative to.
double floor_of(const DbOptions& o, double amin, double ref) {
  return o.floor == DbFloor::kRelative && ref > 0 ? amin * ref : amin;
}

}  // namespace

void power_to_db(std::span<float> s, const DbOptions& options) {
  options.validate();
  const double ref = options.reference == DbReference::kMax ? max_of(s) : options.ref_value;
  power_to_db_resolved(s, ref, floor_of(options, options.amin.value_or(1e-10), ref), options.top_db);
}

DbFloor parse_db_floor(std::string_view name) {
  if (name == "absolute") return DbFloor::kAbsolute;
  if (name == "relative") return DbFloor::kRelative;
  throw_invalid_argument("db_floor", "db_floor='" + std::string(name) + "' is not supported; allowed: absolute, relative");
}

std::string to_string(DbFloor floor) { return floor == DbFloor::kRelative ? "relative" : "absolute"; }

void amplitude_to_db(std::span<float> s, const DbOptions& options) {
  options.validate();
  const double amin = options.amin.value_or(1e-5);
  const double ref = options.reference == DbReference::kMax ? max_of(s) : options.ref_value;
  for (float& v : s) v = v * v;  // librosa squares in the input's precision
  power_to_db_resolved(s, ref * ref, floor_of(options, amin * amin, ref * ref), options.top_db);
}

}  // namespace melnorm
