#include "normalize/method.h"

namespace melnorm::detail {
namespace {

Transform minmax(const Group& g, const Params& p) {
  const double range = g.moments.max - g.moments.min;
  if (!(range > 0)) return {.zero = true};
  Transform t{.shift1 = g.moments.min, .scale1 = 1.0 / range};
  if (p("clip") != 0) t = {.shift1 = g.moments.min, .scale1 = 1.0 / range, .clamp = true, .lo = 0.0, .hi = 1.0};
  return t;
}

}  // namespace

MethodEntry minmax_method() {
  return {
      .info = {.name = "minmax",
               .description = "(x - min) / (max - min): [0, 1] for the data the min/max came from",
               .params = {{"clip", 0, 0, 1, "1: clamp the result to [0, 1] (values outside a fitted global range)"}},
               .unit = "0..1",
               .range = "[0, 1] (a fitted global range: outside it unless clip=1)"},
      .transform = minmax,
      .extremes_only = true};
}

}  // namespace melnorm::detail
