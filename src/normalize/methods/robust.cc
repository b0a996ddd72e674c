#include "core/format.h"
#include "melnorm/error.h"
#include "normalize/method.h"

namespace melnorm::detail {
namespace {

Transform robust(const Group& g, const Params& p) {
  const double lo = g.percentile(p("low")), hi = g.percentile(p("high"));
  if (!(hi > lo)) return {.zero = true};
  return {.clamp = true, .lo = lo, .hi = hi, .shift2 = lo, .scale2 = 1.0 / (hi - lo)};
}

void low_below_high(const Params& p) {
  if (!(p("low") < p("high")))
    throw_invalid_argument("low", "low=" + num(p("low")) + " must be below high=" + num(p("high")));
}

}  // namespace

MethodEntry robust_method() {
  return {.info = {.name = "robust",
                   .description = "clip to the low/high percentiles, then scale that range to [0, 1]",
                   .params = {{"low", 1, 0, 100, "lower percentile"}, {"high", 99, 0, 100, "upper percentile"}},
                   .unit = "0..1",
                   .range = "[0, 1]"},
          .transform = robust,
          .percentiles = {"low", "high"},
          .check = low_below_high};
}

}  // namespace melnorm::detail
