// What a normalization method is made of, for the files that define one
// (src/normalize/methods/<name>.cc, each listed once in registry.cc).
//
// A statistics method (kStatistics) is only a factory of affine maps: given
// a group of values' moments and percentiles, the map for that group. The
// Normalizer does everything else for it, the same for every such method:
// scope (each spectrogram's own statistics, or fitted ones), axis (one group
// per spectrogram, band or frame), padding, NaN checks. Adding such a method
// is writing that factory and its MethodInfo.
//
// Any other method (PCEN: a filter along time with state) implements Method.
#pragma once

#include <algorithm>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "melnorm/normalize.h"

namespace melnorm::detail {

// Per group of values, the map
//   z = (x - shift1) * scale1;  z = clamp(z, lo, hi) if clamp;  y = (z - shift2) * scale2
// or all zeros when the group is degenerate (constant).
struct Transform {
  bool zero = false;
  double shift1 = 0.0, scale1 = 1.0;
  bool clamp = false;
  double lo = 0.0, hi = 0.0;
  double shift2 = 0.0, scale2 = 1.0;

  float operator()(float x) const {
    if (zero) return 0.0f;
    double z = (x - shift1) * scale1;
    if (clamp) z = std::clamp(z, lo, hi);
    return static_cast<float>((z - shift2) * scale2);
  }
};

// What a statistics method may ask of a group: its moments and its percentiles.
struct Group {
  Moments moments;
  std::function<double(double)> percentile;  // q in [0, 100]; only those the method declares
};

// A method's parameters after defaults and overrides.
using Params = std::function<double(const std::string&)>;
using MakeTransform = Transform (*)(const Group&, const Params&);

// A method that is not a statistics method: made once per Normalizer from the
// checked parameters.
class Method {
 public:
  virtual ~Method() = default;
  // One spectrogram's valid frames [bands][frames] (row stride `stride`), in place.
  virtual void apply(float* item, std::size_t bands, std::size_t frames, std::size_t stride) const = 0;
  // A stream with state along time; nullptr when chunks need none.
  virtual std::unique_ptr<MethodStream> stream(std::size_t /*bands*/) const { return nullptr; }
};
using MakeMethod = std::unique_ptr<Method> (*)(const Params&);

// One registry entry: the metadata and how to build the method.
struct MethodEntry {
  MethodInfo info;
  MakeTransform transform = nullptr;  // kStatistics
  // The percentiles `transform` asks for: numbers ("25") or parameter names ("low").
  std::vector<std::string> percentiles;
  MakeMethod make = nullptr;  // kFilter and kIdentity
  // Checks across parameters beyond each one's range (robust: low < high); may be empty.
  void (*check)(const Params&) = nullptr;
  // `transform` reads only the group's count, min and max (min-max, Whisper): a local group skips the
  // mean and M2 passes (they are NaN in its Moments, so a transform that reads them shows it; the
  // registry-wide test checks the maps equal those from full moments).
  bool extremes_only = false;
};

// A group's count, min and max in one pass; mean and m2 NaN (MethodEntry::extremes_only).
Moments extremes_of(const float* v, std::size_t n, std::size_t stride);

// The registry (registry.cc): every entry, `none` included.
const std::vector<MethodEntry>& method_entries();
const MethodEntry& find_method_entry(std::string_view name, const std::string& param = "method");

}  // namespace melnorm::detail
