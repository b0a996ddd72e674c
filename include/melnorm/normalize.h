// Normalization of spectrograms for CNN input: every method behind one
// interface, listed in one registry (name, description, parameters with
// ranges) that the CLI and the Python API read.
//
//   scope local:  statistics of each spectrogram (or each band/frame of it)
//   scope global: statistics fitted on a training set (melnorm::Stats)
//   scope fixed:  statistics given as numbers, not fitted: a pretrained
//                 model's (AST: AudioSet's mean and std), axis all
//   axis all:   one set of statistics per spectrogram
//   axis band:  per mel band over time (local: per-utterance CMVN; global:
//               what BatchNorm over the frequency axis applies at inference)
//   axis frame: per frame over the bands (local only)
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "melnorm/stats.h"

namespace melnorm {

enum class Scope { kLocal, kGlobal, kFixed };
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

// What a parameter's value comes from when it is not given: its default, or
// the features' frame rate (MethodContext), which a pipeline knows and a
// bare array does not.
enum class ParamSource { kDefault, kSampleRate, kHopLength };

struct ParamSpec {
  std::string name;
  double default_value;
  double min;  // allowed range, inclusive
  double max;
  std::string description;
  ParamSource source = ParamSource::kDefault;
  // The pipeline's default when it differs from the library's (PCEN's
  // input_scale: 2**31 for magnitudes of [-1, 1] audio, as librosa's examples).
  std::optional<double> pipeline_default;
};

// What a method reads.
enum class MethodInput {
  kFeatures,         // the features as configured (dB log-mel by default); any finite values
  kLinearMagnitude,  // the linear magnitude mel spectrogram (power 1, no dB): PCEN
};

// "features" | "linear-magnitude"
std::string to_string(MethodInput input);

// How a method works, which decides what it supports.
enum class MethodKind {
  kIdentity,    // none: values unchanged
  kStatistics,  // one affine map per group of values, from their statistics: any scope and axis
  kFilter,      // a causal filter along time per band, with state (PCEN): local, axis all/band, streams exactly
};
std::string to_string(MethodKind kind);  // identity, statistics, filter (as melnorm.methods() says)

struct MethodInfo {
  std::string name;
  std::string description;  // one line
  std::vector<ParamSpec> params;
  bool supports_global = true;   // false: local only (pcen)
  bool supports_fixed = false;   // scope fixed: (x - mean) / std with given numbers (zscore)
  bool constant_to_zero = true;  // a constant group gives zeros (false: a fixed affine map, whisper)
  MethodKind kind = MethodKind::kStatistics;
  MethodInput input = MethodInput::kFeatures;
  // The output's unit, for axis labels ("0..1", "z-score", "PCEN"); empty for
  // none: the input's own unit. `range` says what values to expect.
  std::string unit;
  std::string range;

  bool supports_frame_axis() const { return kind != MethodKind::kFilter; }
  // PCEN's time constant is in seconds: its sr and hop_length come from the features.
  bool needs_frame_rate() const;
  const ParamSpec* param(std::string_view name) const;  // nullptr when it has none of that name
};

// The registry, in a stable order: every method that changes values (what
// `melnorm methods` and melnorm.methods() list). `none` is not listed but is
// found by find_method, so listings and "allowed:" messages stay as they were.
const std::vector<MethodInfo>& normalization_methods();
// Throws Error listing the known names when `name` is not one ("none" is one).
// `param`: the option naming the method in errors ("method", or "normalize" for the pipeline's option).
const MethodInfo& find_method(std::string_view name, const std::string& param = "method");
// The identity's entry: normalize=none.
const MethodInfo& no_normalization();
// The listed methods' declarations as a Markdown table (docs/normalization.md
// holds it, checked by a test; `melnorm methods --markdown` prints it).
std::string methods_markdown();

using MethodParams = std::map<std::string, double>;

struct NormalizeOptions {
  std::string method = "zscore";
  Scope scope = Scope::kLocal;
  Axis axis = Axis::kAll;
  MethodParams params;  // overrides of the method's defaults (checked against the ranges)
  // Scope fixed: the statistics, given (y = (x - fixed_mean) / fixed_std).
  std::optional<double> fixed_mean;
  std::optional<double> fixed_std;
};

// What the features are beyond their values: a pipeline knows its frame rate,
// a bare array does not (then the parameters' defaults apply).
struct MethodContext {
  std::optional<double> sample_rate;  // Hz of the audio
  std::optional<int> hop_length;      // samples between frames
};
// `options` with each parameter the method takes from the context filled in,
// unless it was given.
NormalizeOptions in_context(NormalizeOptions options, const MethodContext& context);
// `options` with the pipeline's defaults of the method's parameters where they
// differ from the library's (ParamSpec::pipeline_default), unless given.
NormalizeOptions with_pipeline_defaults(NormalizeOptions options);

// One stream's state for a method with state along time (kFilter): chunks of
// frames processed in order give what Normalizer::apply gives for the whole.
class MethodStream {
 public:
  virtual ~MethodStream() = default;
  // [bands][frames] with row stride `stride`, in place.
  virtual void process(float* data, std::size_t frames, std::size_t stride) = 0;
};

class Normalizer {
 public:
  // Checks the method, its parameters, and scope/axis; with scope global,
  // `stats` must be given (and is copied). Throws Error naming the problem.
  explicit Normalizer(NormalizeOptions options, const Stats* stats = nullptr);
  ~Normalizer();
  Normalizer(Normalizer&&) noexcept;

  const NormalizeOptions& options() const { return options_; }
  const MethodInfo& info() const;

  // In place. Throws Error for NaN/Inf values (with their position), band
  // counts other than the statistics', or lengths longer than the frames.
  void apply(const BatchView& batch) const;
  // A stream of `bands` bands, for a method with state along time (kFilter);
  // nullptr for the others (apply() on each chunk is already exact or refused).
  std::unique_ptr<MethodStream> stream(std::size_t bands) const;

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
