#include "normalize/method.h"

namespace melnorm::detail {
namespace {

Transform robust_zscore(const Group& g, const Params&) {
  const double median = g.percentile(50.0), iqr = g.percentile(75.0) - g.percentile(25.0);
  if (!(iqr > 0)) return {.zero = true};
  return {.shift1 = median, .scale1 = 1.0 / iqr};
}

}  // namespace

MethodEntry robust_zscore_method() {
  return {.info = {.name = "robust-zscore",
                   .description = "(x - median) / IQR (interquartile range, 75th - 25th percentile)",
                   .unit = "z-score",
                   .range = "unbounded: median 0, interquartile range 1"},
          .transform = robust_zscore,
          .percentiles = {"25", "50", "75"}};
}

}  // namespace melnorm::detail
