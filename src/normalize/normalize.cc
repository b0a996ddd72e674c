#include "melnorm/normalize.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>

#include "core/format.h"
#include "melnorm/error.h"
#include "melnorm/pcen.h"

namespace melnorm {

using detail::num;

Scope parse_scope(std::string_view name) {
  if (name == "local") return Scope::kLocal;
  if (name == "global") return Scope::kGlobal;
  throw_invalid_argument("scope", "scope='" + std::string(name) + "' is not supported; allowed: local, global");
}

Axis parse_axis(std::string_view name) {
  if (name == "all") return Axis::kAll;
  if (name == "band") return Axis::kBand;
  if (name == "frame") return Axis::kFrame;
  throw_invalid_argument("axis", "axis='" + std::string(name) + "' is not supported; allowed: all, band, frame");
}

std::string to_string(Scope scope) { return scope == Scope::kLocal ? "local" : "global"; }
std::string to_string(Axis axis) {
  switch (axis) {
    case Axis::kAll: return "all";
    case Axis::kBand: return "band";
    case Axis::kFrame: return "frame";
  }
  return "?";
}

namespace {

// Every statistics-based method is, per group of values, the map
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

// What a method may ask of a group: its moments and its percentiles.
struct Group {
  Moments moments;
  std::function<double(double)> percentile;  // q in [0, 100]
};

using Params = std::function<double(const std::string&)>;
using MakeTransform = Transform (*)(const Group&, const Params&);

Transform minmax(const Group& g, const Params& p) {
  const double range = g.moments.max - g.moments.min;
  if (!(range > 0)) return {.zero = true};
  Transform t{.shift1 = g.moments.min, .scale1 = 1.0 / range};
  if (p("clip") != 0) t = {.shift1 = g.moments.min, .scale1 = 1.0 / range, .clamp = true, .lo = 0.0, .hi = 1.0};
  return t;
}

Transform zscore(const Group& g, const Params& p) {
  const double sd = g.moments.stddev(static_cast<int>(p("ddof")));
  if (!(sd > 0)) return {.zero = true};
  return {.shift1 = g.moments.mean, .scale1 = 1.0 / sd};
}

// The seed-001 recipe: z-score with the unbiased std + eps, then min-max of
// the z-scores with clamping; a range of eps or less gives zeros.
Transform zscore_minmax(const Group& g, const Params& p) {
  const double eps = p("eps");
  const double denom = g.moments.stddev(1) + eps;
  if (!(denom > 0)) return {.zero = true};
  const double zmin = (g.moments.min - g.moments.mean) / denom;
  const double zmax = (g.moments.max - g.moments.mean) / denom;
  if (!(zmax - zmin > eps)) return {.zero = true};
  return {.shift1 = g.moments.mean, .scale1 = 1.0 / denom, .clamp = true, .lo = zmin, .hi = zmax,
          .shift2 = zmin, .scale2 = 1.0 / (zmax - zmin)};
}

Transform robust(const Group& g, const Params& p) {
  const double lo = g.percentile(p("low")), hi = g.percentile(p("high"));
  if (!(hi > lo)) return {.zero = true};
  return {.clamp = true, .lo = lo, .hi = hi, .shift2 = lo, .scale2 = 1.0 / (hi - lo)};
}

Transform robust_zscore(const Group& g, const Params&) {
  const double median = g.percentile(50.0), iqr = g.percentile(75.0) - g.percentile(25.0);
  if (!(iqr > 0)) return {.zero = true};
  return {.shift1 = median, .scale1 = 1.0 / iqr};
}

struct MethodEntry {
  MethodInfo info;
  MakeTransform make;     // nullptr: pcen (not statistics-based)
  std::vector<const char*> percentiles;  // the percentiles `make` asks for: numbers or parameter names
};

const std::vector<MethodEntry>& registry() {
  static const std::vector<MethodEntry> entries = {
      {{"minmax", "(x - min) / (max - min): [0, 1] for the data the min/max came from",
        {{"clip", 0, 0, 1, "1: clamp the result to [0, 1] (values outside a fitted global range)"}}},
       minmax, {}},
      {{"zscore", "(x - mean) / std: mean 0, standard deviation 1",
        {{"ddof", 0, 0, 1, "delta degrees of freedom of the std: 0 population, 1 unbiased"}}},
       zscore, {}},
      {{"zscore-minmax",
        "seed-001 recipe: z-score (unbiased std + eps), then min-max to [0, 1] with clamping; "
        "equals min-max up to eps",
        {{"eps", 1e-6, 0, 1, "added to the std; ranges of z-scores <= eps give zeros"}}},
       zscore_minmax, {}},
      {{"robust", "clip to the low/high percentiles, then scale that range to [0, 1]",
        {{"low", 1, 0, 100, "lower percentile"}, {"high", 99, 0, 100, "upper percentile"}}},
       robust, {"low", "high"}},
      {{"robust-zscore", "(x - median) / IQR (interquartile range, 75th - 25th percentile)", {}},
       robust_zscore, {"25", "50", "75"}},
      {{"pcen", "per-channel energy normalization (librosa.pcen), on a magnitude mel spectrogram",
        {{"gain", 0.98, 0, 100, "alpha: exponent of the smoothed energy divided out"},
         {"bias", 2, 0, 1e12, "delta: added before compression"},
         {"power", 0.5, 1e-12, 100, "r: compression exponent"},
         {"time_constant", 0.4, 1e-12, 1e6, "smoothing time constant, seconds"},
         {"eps", 1e-6, 1e-300, 1, "floor of the smoothed energy"},
         {"input_scale", 1, 1e-300, 1e300, "input multiplier (2**31 for magnitudes of [-1, 1] audio)"},
         {"sr", 22050, 1e-12, 1e9, "sample rate of the audio, Hz"},
         {"hop_length", 512, 1, 1e9, "hop of the spectrogram, samples"}},
        false},
       nullptr, {}},
  };
  return entries;
}

const MethodEntry& find_entry(std::string_view name) {
  for (const auto& e : registry())
    if (e.info.name == name) return e;
  std::string names;
  for (const auto& e : registry()) names += (names.empty() ? "" : ", ") + e.info.name;
  throw_invalid_argument("method", "method='" + std::string(name) + "' is not known; allowed: " + names);
}

// numpy.percentile(values, q) ("linear") for several q at once, reordering
// `values`. Ascending q narrow the range each nth_element searches.
// `qs` must be ascending; results are written to `out` in the same order.
void exact_percentiles(std::vector<float>& values, const std::vector<double>& qs, std::vector<double>& out) {
  const std::size_t n = values.size();
  out.clear();
  auto first = values.begin();
  for (double q : qs) {
    const double rank = q / 100.0 * static_cast<double>(n - 1);
    const auto k = static_cast<std::size_t>(std::floor(rank));
    const auto kth = values.begin() + static_cast<std::ptrdiff_t>(k);
    if (kth >= first) std::nth_element(first, kth, values.end());
    const double a = *kth;
    double v = a;
    if (k + 1 < n && rank != static_cast<double>(k)) v = a + (*std::min_element(kth + 1, values.end()) - a) * (rank - static_cast<double>(k));
    out.push_back(v);
    first = kth + 1;  // everything left of here is <= the values still to find
  }
}

[[noreturn]] void non_finite(std::size_t item, std::size_t band, std::size_t frame, float v) {
  throw Error(ErrorCode::kInvalidData, "X",
              "value at item " + num(item) + ", band " + num(band) + ", frame " + num(frame) + " is " +
                  (std::isnan(v) ? "NaN" : "infinite") + "; spectrograms must be finite");
}

}  // namespace

BatchShape batch_shape(std::span<const std::size_t> shape, const std::string& what) {
  if (shape.size() == 2) return {1, shape[0], shape[1]};
  if (shape.size() == 3) return {shape[0], shape[1], shape[2]};
  throw Error(ErrorCode::kInvalidData, "X",
              what + ": spectrograms must be [F, T] or [B, F, T], got a " + num(shape.size()) + "-D array");
}

const std::vector<MethodInfo>& normalization_methods() {
  static const std::vector<MethodInfo> infos = [] {
    std::vector<MethodInfo> v;
    for (const auto& e : registry()) v.push_back(e.info);
    return v;
  }();
  return infos;
}

const MethodInfo& find_method(std::string_view name) { return find_entry(name).info; }

struct Normalizer::Impl {
  const MethodEntry* entry = nullptr;
  MethodParams params;                      // complete: defaults + overrides
  std::optional<Stats> stats;
  Transform global_all;                     // scope global, axis all
  std::vector<Transform> global_bands;      // scope global, axis band
  PcenOptions pcen;
};

Normalizer::Normalizer(NormalizeOptions options, const Stats* stats)
    : options_(std::move(options)), impl_(std::make_unique<Impl>()) {
  const MethodEntry& e = find_entry(options_.method);
  impl_->entry = &e;
  for (const auto& spec : e.info.params) impl_->params[spec.name] = spec.default_value;
  for (const auto& [name, value] : options_.params) {
    const auto spec = std::find_if(e.info.params.begin(), e.info.params.end(), [&key = name](const ParamSpec& s) { return s.name == key; });
    if (spec == e.info.params.end()) {
      std::string allowed;
      for (const auto& s : e.info.params) allowed += (allowed.empty() ? "" : ", ") + s.name;
      throw_invalid_argument(name, "method " + e.info.name + " has no parameter '" + name + "'; it takes: " +
                                       (allowed.empty() ? "none" : allowed));
    }
    if (!(value >= spec->min && value <= spec->max))
      throw_invalid_argument(name, name + "=" + num(value) + " must be in [" + num(spec->min) + ", " + num(spec->max) + "]");
    impl_->params[name] = value;
  }
  const Params p = [this](const std::string& n) { return impl_->params.at(n); };
  if (e.info.name == "robust" && !(p("low") < p("high")))
    throw_invalid_argument("low", "low=" + num(p("low")) + " must be below high=" + num(p("high")));

  if (!e.make) {  // pcen
    if (options_.scope == Scope::kGlobal)
      throw_invalid_argument("scope", "method pcen adapts along time within each spectrogram; it has no global "
                                      "statistics (use scope local)");
    if (options_.axis == Axis::kFrame)
      throw_invalid_argument("axis", "method pcen works per band over time; axis frame is not supported");
    impl_->pcen = {.sr = p("sr"), .hop_length = static_cast<int>(p("hop_length")), .gain = p("gain"),
                   .bias = p("bias"), .power = p("power"), .time_constant = p("time_constant"), .eps = p("eps"),
                   .input_scale = p("input_scale")};
    impl_->pcen.validate();
    return;
  }
  if (options_.scope == Scope::kLocal) return;

  if (!stats) throw_invalid_argument("stats", "scope global needs fitted statistics (melnorm fit-stats)");
  if (stats->count() == 0) throw_invalid_argument("stats", "the statistics are empty (fitted on no data)");
  if (options_.axis == Axis::kFrame)
    throw_invalid_argument("axis", "axis frame with scope global would need statistics per frame index; "
                                   "use axis all or band, or scope local");
  impl_->stats = *stats;
  const Stats& s = *impl_->stats;
  impl_->global_all = e.make(Group{s.overall(), [&s](double q) { return s.percentile(q); }}, p);
  for (std::size_t b = 0; b < s.n_bands(); ++b)
    impl_->global_bands.push_back(e.make(Group{s.band(b), [&s, b](double q) { return s.percentile(q, b); }}, p));
}

Normalizer::~Normalizer() = default;
Normalizer::Normalizer(Normalizer&&) noexcept = default;

std::vector<Normalizer::GlobalMap> Normalizer::global_maps() const {
  auto as_map = [](const Transform& t) {
    return GlobalMap{.zero = t.zero, .shift1 = t.shift1, .scale1 = t.scale1, .clamp = t.clamp, .lo = t.lo, .hi = t.hi,
                     .shift2 = t.shift2, .scale2 = t.scale2};
  };
  std::vector<GlobalMap> out;
  if (!impl_->stats) return out;
  if (options_.axis == Axis::kBand)
    for (const Transform& t : impl_->global_bands) out.push_back(as_map(t));
  else
    out.push_back(as_map(impl_->global_all));
  return out;
}

double Normalizer::param(const std::string& name) const {
  const auto it = impl_->params.find(name);
  if (it == impl_->params.end()) throw_invalid_argument(name, "method " + options_.method + " has no parameter '" + name + "'");
  return it->second;
}

void Normalizer::apply(const BatchView& x) const {
  const std::size_t B = x.batch, F = x.bands, T = x.frames;
  if (!x.lengths.empty() && x.lengths.size() != B)
    throw_invalid_argument("lengths", "lengths has " + num(x.lengths.size()) + " entries for a batch of " + num(B));
  for (std::size_t i = 0; i < x.lengths.size(); ++i)
    if (x.lengths[i] > T)
      throw_invalid_argument("lengths", "lengths[" + num(i) + "]=" + num(x.lengths[i]) + " is longer than the " + num(T) + " frames");
  if (impl_->stats && impl_->stats->n_bands() != F)
    throw Error(ErrorCode::kInvalidArgument, "stats",
                "the statistics were fitted on " + num(impl_->stats->n_bands()) + " bands, these spectrograms have " + num(F));
  // Check every valid value first, so an error leaves the batch untouched.
  for (std::size_t i = 0; i < B; ++i) {
    const std::size_t len = x.lengths.empty() ? T : x.lengths[i];
    const float* item = x.data + i * F * T;
    for (std::size_t b = 0; b < F; ++b)
      for (std::size_t t = 0; t < len; ++t)
        if (!std::isfinite(item[b * T + t])) non_finite(i, b, t, item[b * T + t]);
  }

  const MethodEntry& e = *impl_->entry;
  const Params p = [this](const std::string& n) { return impl_->params.at(n); };
  std::vector<float> scratch;
  std::vector<double> qs;  // the percentiles this method needs, as numbers, ascending
  for (const char* q : e.percentiles) qs.push_back(std::isdigit(static_cast<unsigned char>(q[0])) ? std::stod(q) : p(q));
  std::sort(qs.begin(), qs.end());
  std::vector<double> qvalues;
  const std::function<double(double)> lookup = [&](double q) {
    return qvalues[static_cast<std::size_t>(std::find(qs.begin(), qs.end(), q) - qs.begin())];
  };
  auto local_transform = [&](const float* v, std::size_t n, std::size_t stride) {
    Group g;
    g.moments = moments_of(v, n, stride);
    if (!qs.empty()) {
      scratch.resize(n);
      for (std::size_t k = 0; k < n; ++k) scratch[k] = v[k * stride];
      exact_percentiles(scratch, qs, qvalues);
      g.percentile = lookup;
    }
    return e.make(g, p);
  };

  for (std::size_t i = 0; i < B; ++i) {
    const std::size_t len = x.lengths.empty() ? T : x.lengths[i];
    float* item = x.data + i * F * T;
    if (len > 0) {
      if (!e.make) {
        Pcen(impl_->pcen, F).process(item, len, T);
      } else if (options_.scope == Scope::kGlobal) {
        for (std::size_t b = 0; b < F; ++b) {
          const Transform& tr = options_.axis == Axis::kBand ? impl_->global_bands[b] : impl_->global_all;
          for (std::size_t t = 0; t < len; ++t) item[b * T + t] = tr(item[b * T + t]);
        }
      } else if (options_.axis == Axis::kAll) {
        scratch.clear();
        std::vector<float> values;  // the valid region, contiguous
        values.reserve(F * len);
        for (std::size_t b = 0; b < F; ++b) values.insert(values.end(), item + b * T, item + b * T + len);
        const Transform tr = local_transform(values.data(), values.size(), 1);
        for (std::size_t b = 0; b < F; ++b)
          for (std::size_t t = 0; t < len; ++t) item[b * T + t] = tr(item[b * T + t]);
      } else if (options_.axis == Axis::kBand) {
        for (std::size_t b = 0; b < F; ++b) {
          const Transform tr = local_transform(item + b * T, len, 1);
          for (std::size_t t = 0; t < len; ++t) item[b * T + t] = tr(item[b * T + t]);
        }
      } else {  // frame
        for (std::size_t t = 0; t < len; ++t) {
          const Transform tr = local_transform(item + t, F, T);
          for (std::size_t b = 0; b < F; ++b) item[b * T + t] = tr(item[b * T + t]);
        }
      }
    }
    for (std::size_t b = 0; b < F; ++b) std::fill(item + b * T + len, item + (b + 1) * T, 0.0f);
  }
}

}  // namespace melnorm
