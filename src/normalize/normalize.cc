// Normalizer: the registry's methods (src/normalize/method.h says what one is
// made of) applied to batches, with one scope/axis/padding/NaN treatment for
// every statistics method.
#include "melnorm/normalize.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <string>

#include "core/format.h"
#include "melnorm/error.h"
#include "normalize/method.h"

namespace melnorm {

using detail::num;

Scope parse_scope(std::string_view name) {
  if (name == "local") return Scope::kLocal;
  if (name == "global") return Scope::kGlobal;
  if (name == "fixed") return Scope::kFixed;
  throw_invalid_argument("scope", "scope='" + std::string(name) + "' is not supported; allowed: local, global, fixed");
}

Axis parse_axis(std::string_view name) {
  if (name == "all") return Axis::kAll;
  if (name == "band") return Axis::kBand;
  if (name == "frame") return Axis::kFrame;
  throw_invalid_argument("axis", "axis='" + std::string(name) + "' is not supported; allowed: all, band, frame");
}

std::string to_string(Scope scope) {
  static const char* names[] = {"local", "global", "fixed"};
  return names[static_cast<int>(scope)];
}
std::string to_string(Axis axis) {
  switch (axis) {
    case Axis::kAll: return "all";
    case Axis::kBand: return "band";
    case Axis::kFrame: return "frame";
  }
  return "?";
}

namespace {

using detail::Group;
using detail::MethodEntry;
using detail::Params;
using detail::Transform;

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
    if (k + 1 < n && rank != static_cast<double>(k))
      v = a + (*std::min_element(kth + 1, values.end()) - a) * (rank - static_cast<double>(k));
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

namespace {

// Defaults, then the overrides, each checked against the method's declaration.
MethodParams checked_params(const MethodInfo& info, const MethodParams& given) {
  MethodParams params;
  for (const auto& spec : info.params) params[spec.name] = spec.default_value;
  for (const auto& [name, value] : given) {
    const ParamSpec* spec = info.param(name);
    if (!spec) {
      std::string allowed;
      for (const auto& s : info.params) allowed += (allowed.empty() ? "" : ", ") + s.name;
      throw_invalid_argument(name, "method " + info.name + " has no parameter '" + name +
                                       "'; it takes: " + (allowed.empty() ? "none" : allowed));
    }
    if (!(value >= spec->min && value <= spec->max))
      throw_invalid_argument(name,
                             name + "=" + num(value) + " must be in [" + num(spec->min) + ", " + num(spec->max) + "]");
    params[name] = value;
  }
  return params;
}

// A filter along time has no statistics to fit and no frame groups.
void check_filter_scope(const MethodInfo& info, const NormalizeOptions& o) {
  if (o.scope != Scope::kLocal)
    throw_invalid_argument("scope", "method " + info.name +
                                        " adapts along time within each spectrogram; it has no global "
                                        "statistics (use scope local)");
  if (o.axis == Axis::kFrame)
    throw_invalid_argument("axis", "method " + info.name + " works per band over time; axis frame is not supported");
}

// A statistics method's map for groups of one spectrogram, from their exact
// moments and percentiles. Reuses its buffers from group to group.
class LocalStatistics {
 public:
  LocalStatistics(const MethodEntry& entry, const Params& params, const std::vector<double>& qs)
      : entry_(entry), params_(params), qs_(qs) {}

  // `n` values `stride` apart.
  Transform of(const float* v, std::size_t n, std::size_t stride) {
    Group g;
    g.moments = entry_.extremes_only ? detail::extremes_of(v, n, stride) : moments_of(v, n, stride);
    if (!qs_.empty()) {
      scratch_.resize(n);
      for (std::size_t k = 0; k < n; ++k) scratch_[k] = v[k * stride];
      exact_percentiles(scratch_, qs_, qvalues_);
      g.percentile = [this](double q) {
        return qvalues_[static_cast<std::size_t>(std::find(qs_.begin(), qs_.end(), q) - qs_.begin())];
      };
    }
    return entry_.transform(g, params_);
  }

 private:
  const MethodEntry& entry_;
  const Params& params_;
  const std::vector<double>& qs_;
  std::vector<float> scratch_;
  std::vector<double> qvalues_;
};

// Scope fixed: the given mean and std, over the whole spectrogram.
Transform fixed_transform(const MethodInfo& info, const NormalizeOptions& o) {
  if (!info.supports_fixed) {
    std::string allowed;
    for (const MethodInfo& m : normalization_methods())
      if (m.supports_fixed) allowed += (allowed.empty() ? "" : ", ") + m.name;
    throw_invalid_argument("scope", "scope fixed gives a mean and a std; method " + info.name +
                                        " does not normalize with them; allowed methods: " + allowed);
  }
  if (o.axis != Axis::kAll)
    throw_invalid_argument("axis", "scope fixed has one mean and std for the whole spectrogram; allowed axis: all");
  if (!o.fixed_mean || !o.fixed_std)
    throw_invalid_argument(o.fixed_mean ? "std" : "mean", "scope fixed needs the statistics: mean and std");
  if (!std::isfinite(*o.fixed_mean)) throw_invalid_argument("mean", "mean=" + num(*o.fixed_mean) + " must be finite");
  if (!(*o.fixed_std > 0) || !std::isfinite(*o.fixed_std))
    throw_invalid_argument("std", "std=" + num(*o.fixed_std) + " must be a positive number");
  return {.shift1 = *o.fixed_mean, .scale1 = 1.0 / *o.fixed_std};
}

}  // namespace

struct Normalizer::Impl {
  const MethodEntry* entry = nullptr;
  MethodParams params;                     // complete: defaults + overrides
  Params lookup;                           // params.at
  std::unique_ptr<detail::Method> method;  // not a statistics method
  std::vector<double> percentiles;         // a statistics method's, as numbers, ascending
  std::optional<Stats> stats;
  Transform global_all;                 // scope global, axis all
  std::vector<Transform> global_bands;  // scope global, axis band

  void apply_statistics(float* item, std::size_t F, std::size_t len, std::size_t T, const NormalizeOptions& o) const;
};

Normalizer::Normalizer(NormalizeOptions options, const Stats* stats)
    : options_(std::move(options)), impl_(std::make_unique<Impl>()) {
  const MethodEntry& e = detail::find_method_entry(options_.method);
  impl_->entry = &e;
  impl_->params = checked_params(e.info, options_.params);
  impl_->lookup = [impl = impl_.get()](const std::string& n) { return impl->params.at(n); };
  const Params& p = impl_->lookup;
  if (e.check) e.check(p);
  if (e.info.kind == MethodKind::kFilter) check_filter_scope(e.info, options_);
  if (options_.scope == Scope::kGlobal && !e.info.supports_global)
    throw_invalid_argument("scope", "method " + e.info.name + " is local only; allowed scope: local");
  if (e.make) {
    impl_->method = e.make(p);
    return;
  }
  for (const std::string& q : e.percentiles)
    impl_->percentiles.push_back(std::isdigit(static_cast<unsigned char>(q[0])) ? std::stod(q) : p(q));
  std::sort(impl_->percentiles.begin(), impl_->percentiles.end());
  if (options_.scope == Scope::kLocal) return;
  if (options_.scope == Scope::kFixed) {
    impl_->global_all = fixed_transform(e.info, options_);
    return;
  }

  if (!stats) throw_invalid_argument("stats", "scope global needs fitted statistics (melnorm fit-stats)");
  if (stats->count() == 0) throw_invalid_argument("stats", "the statistics are empty (fitted on no data)");
  if (options_.axis == Axis::kFrame)
    throw_invalid_argument("axis",
                           "axis frame with scope global would need statistics per frame index; "
                           "use axis all or band, or scope local");
  impl_->stats = *stats;
  const Stats& s = *impl_->stats;
  impl_->global_all = e.transform(Group{s.overall(), [&s](double q) { return s.percentile(q); }}, p);
  for (std::size_t b = 0; b < s.n_bands(); ++b)
    impl_->global_bands.push_back(e.transform(Group{s.band(b), [&s, b](double q) { return s.percentile(q, b); }}, p));
}

Normalizer::~Normalizer() = default;
Normalizer::Normalizer(Normalizer&&) noexcept = default;

const MethodInfo& Normalizer::info() const { return impl_->entry->info; }

std::vector<Normalizer::GlobalMap> Normalizer::global_maps() const {
  auto as_map = [](const Transform& t) {
    return GlobalMap{.zero = t.zero,
                     .shift1 = t.shift1,
                     .scale1 = t.scale1,
                     .clamp = t.clamp,
                     .lo = t.lo,
                     .hi = t.hi,
                     .shift2 = t.shift2,
                     .scale2 = t.scale2};
  };
  std::vector<GlobalMap> out;
  if (!impl_->stats && options_.scope != Scope::kFixed) return out;
  if (options_.axis == Axis::kBand)
    for (const Transform& t : impl_->global_bands) out.push_back(as_map(t));
  else out.push_back(as_map(impl_->global_all));
  return out;
}

std::unique_ptr<MethodStream> Normalizer::stream(std::size_t bands) const {
  return impl_->method ? impl_->method->stream(bands) : nullptr;
}

// One spectrogram's first `len` frames [F][T], by a statistics method.
void Normalizer::Impl::apply_statistics(float* item, std::size_t F, std::size_t len, std::size_t T,
                                        const NormalizeOptions& o) const {
  auto map_rows = [&](const Transform& tr, std::size_t b) {
    for (std::size_t t = 0; t < len; ++t) item[b * T + t] = tr(item[b * T + t]);
  };
  if (o.scope != Scope::kLocal) {
    for (std::size_t b = 0; b < F; ++b) map_rows(o.axis == Axis::kBand ? global_bands[b] : global_all, b);
    return;
  }
  LocalStatistics local(*entry, lookup, percentiles);
  if (o.axis == Axis::kAll) {
    std::vector<float> values;  // the valid region, contiguous
    values.reserve(F * len);
    for (std::size_t b = 0; b < F; ++b) values.insert(values.end(), item + b * T, item + b * T + len);
    const Transform tr = local.of(values.data(), values.size(), 1);
    for (std::size_t b = 0; b < F; ++b) map_rows(tr, b);
  } else if (o.axis == Axis::kBand) {
    for (std::size_t b = 0; b < F; ++b) map_rows(local.of(item + b * T, len, 1), b);
  } else {  // frame
    for (std::size_t t = 0; t < len; ++t) {
      const Transform tr = local.of(item + t, F, T);
      for (std::size_t b = 0; b < F; ++b) item[b * T + t] = tr(item[b * T + t]);
    }
  }
}

void Normalizer::apply(const BatchView& x) const {
  const std::size_t B = x.batch, F = x.bands, T = x.frames;
  if (!x.lengths.empty() && x.lengths.size() != B)
    throw_invalid_argument("lengths", "lengths has " + num(x.lengths.size()) + " entries for a batch of " + num(B));
  for (std::size_t i = 0; i < x.lengths.size(); ++i)
    if (x.lengths[i] > T)
      throw_invalid_argument(
          "lengths", "lengths[" + num(i) + "]=" + num(x.lengths[i]) + " is longer than the " + num(T) + " frames");
  if (impl_->stats && impl_->stats->n_bands() != F)
    throw Error(
        ErrorCode::kInvalidArgument, "stats",
        "the statistics were fitted on " + num(impl_->stats->n_bands()) + " bands, these spectrograms have " + num(F));
  // Check every valid value first, so an error leaves the batch untouched.
  for (std::size_t i = 0; i < B; ++i) {
    const std::size_t len = x.lengths.empty() ? T : x.lengths[i];
    const float* item = x.data + i * F * T;
    for (std::size_t b = 0; b < F; ++b)
      for (std::size_t t = 0; t < len; ++t)
        if (!std::isfinite(item[b * T + t])) non_finite(i, b, t, item[b * T + t]);
  }
  for (std::size_t i = 0; i < B; ++i) {
    const std::size_t len = x.lengths.empty() ? T : x.lengths[i];
    float* item = x.data + i * F * T;
    if (len > 0) {
      if (impl_->method) impl_->method->apply(item, F, len, T);
      else impl_->apply_statistics(item, F, len, T, options_);
    }
    for (std::size_t b = 0; b < F; ++b) std::fill(item + b * T + len, item + (b + 1) * T, 0.0f);
  }
}

}  // namespace melnorm
