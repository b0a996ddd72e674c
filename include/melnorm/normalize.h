// Normalization of spectrograms for CNN input: every method behind one
// interface, listed in one registry (name, description, parameters with
// ranges) that the CLI and the Python API read.
//
//   scope local:  statistics of each spectrogram (or each band/frame of it)
//   scope global: statistics fitted on a training set (melnorm::Stats)
//   axis all:   one set of statistics per spectrogram
//   axis band:  per mel band over time (local: per-utterance CMVN; global:
//               what BatchNorm over the frequency axis applies at inference)
//   axis frame: per frame over the bands (local only)
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "melnorm/stats.h"

namespace melnorm {

enum class Scope { kLocal, kGlobal };
enum class Axis { kAll, kBand, kFrame };
Scope parse_scope(std::string_view name);
Axis parse_axis(std::string_view name);
std::string to_string(Scope scope);
std::string to_string(Axis axis);

// A batch of spectrograms [batch][bands][frames], row-major, normalized in
// place. `lengths` (empty: all frames valid) gives each item's valid frames:
// the rest is padding, left out of the statistics and written as zeros.
struct BatchView {
  float* data = nullptr;
  std::size_t batch = 1;
  std::size_t bands = 0;
  std::size_t frames = 0;
  std::span<const std::size_t> lengths;
};

// The batch layout of an array shape: [F, T] is one spectrogram, [B, F, T]
// a batch. Throws Error "<what>: spectrograms must be [F, T] or [B, F, T], got a N-D array".
struct BatchShape {
  std::size_t batch, bands, frames;
};
BatchShape batch_shape(std::span<const std::size_t> shape, const std::string& what);

struct ParamSpec {
  std::string name;
  double default_value;
  double min;  // allowed range, inclusive
  double max;
  std::string description;
};

struct MethodInfo {
  std::string name;
  std::string description;        // one line
  std::vector<ParamSpec> params;
  bool supports_global = true;    // false: local only (pcen)
};

// The registry, in a stable order.
const std::vector<MethodInfo>& normalization_methods();
// Throws Error listing the known names when `name` is not one.
const MethodInfo& find_method(std::string_view name);

using MethodParams = std::map<std::string, double>;

struct NormalizeOptions {
  std::string method = "zscore";
  Scope scope = Scope::kLocal;
  Axis axis = Axis::kAll;
  MethodParams params;  // overrides of the method's defaults (checked against the ranges)
};

class Normalizer {
 public:
  // Checks the method, its parameters, and scope/axis; with scope global,
  // `stats` must be given (and is copied). Throws Error naming the problem.
  explicit Normalizer(NormalizeOptions options, const Stats* stats = nullptr);
  ~Normalizer();
  Normalizer(Normalizer&&) noexcept;

  const NormalizeOptions& options() const { return options_; }
  // The value of a parameter after defaults.
  double param(const std::string& name) const;

  // In place. Throws Error for NaN/Inf values (with their position), band
  // counts other than the statistics', or lengths longer than the frames.
  void apply(const BatchView& batch) const;

  // Scope global: the fitted map of each group, for front ends that apply it
  // elsewhere (melnorm.torch.Normalize keeps them as buffers):
  //   y = (clamp((x - shift1) * scale1, lo, hi) - shift2) * scale2, or 0 when `zero` (a constant group).
  // One map for axis all, one per band for axis band; empty for scope local and pcen.
  struct GlobalMap {
    bool zero = false;
    double shift1 = 0.0, scale1 = 1.0;
    bool clamp = false;
    double lo = 0.0, hi = 0.0, shift2 = 0.0, scale2 = 1.0;
  };
  std::vector<GlobalMap> global_maps() const;

 private:
  struct Impl;
  NormalizeOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace melnorm
