#include "normalize/method.h"

namespace melnorm::detail {
namespace {

Transform zscore(const Group& g, const Params& p) {
  const double sd = g.moments.stddev(static_cast<int>(p("ddof")));
  if (!(sd > 0)) return {.zero = true};
  return {.shift1 = g.moments.mean, .scale1 = 1.0 / sd};
}

}  // namespace

MethodEntry zscore_method() {
  return {.info = {.name = "zscore",
                   .description = "(x - mean) / std: mean 0, standard deviation 1",
                   .params = {{"ddof", 0, 0, 1, "delta degrees of freedom of the std: 0 population, 1 unbiased"}},
                   .supports_fixed = true,
                   .unit = "z-score",
                   .range = "unbounded: mean 0, standard deviation 1"},
          .transform = zscore};
}

}  // namespace melnorm::detail
