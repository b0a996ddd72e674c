#include "normalize/method.h"

namespace melnorm::detail {
namespace {

// Per-item z-score with the unbiased std + eps, then min-max of the z-scores
// with clamping (the recipe this project started from); a range of eps or
// less gives zeros. docs/normalization.md proves it equals min-max.
Transform zscore_minmax(const Group& g, const Params& p) {
  const double eps = p("eps");
  const double denom = g.moments.stddev(1) + eps;
  if (!(denom > 0)) return {.zero = true};
  const double zmin = (g.moments.min - g.moments.mean) / denom;
  const double zmax = (g.moments.max - g.moments.mean) / denom;
  if (!(zmax - zmin > eps)) return {.zero = true};
  return {.shift1 = g.moments.mean,
          .scale1 = 1.0 / denom,
          .clamp = true,
          .lo = zmin,
          .hi = zmax,
          .shift2 = zmin,
          .scale2 = 1.0 / (zmax - zmin)};
}

}  // namespace

MethodEntry zscore_minmax_method() {
  return {.info = {.name = "zscore-minmax",
                   .description = "z-score (unbiased std + eps), then min-max of the z-scores to [0, 1] with clamping; "
                                  "equals min-max up to eps",
                   .params = {{"eps", 1e-6, 0, 1, "added to the std; ranges of z-scores <= eps give zeros"}},
                   .unit = "0..1",
                   .range = "[0, 1]"},
          .transform = zscore_minmax};
}

}  // namespace melnorm::detail
