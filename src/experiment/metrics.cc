#include "experiment/metrics.h"

#include <algorithm>
#include <cmath>

namespace melnorm::detail {

std::vector<int> argmax_rows(const std::vector<float>& logits, std::size_t n, int n_classes) {
  std::vector<int> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    const float* row = logits.data() + i * static_cast<std::size_t>(n_classes);
    out[i] = static_cast<int>(std::max_element(row, row + n_classes) - row);
  }
  return out;
}

Scores score(const std::vector<int>& truth, const std::vector<int>& predicted, int n_classes) {
  Scores s;
  const auto k = static_cast<std::size_t>(n_classes);
  s.confusion.assign(k, std::vector<std::size_t>(k, 0));
  std::size_t right = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    ++s.confusion[static_cast<std::size_t>(truth[i])][static_cast<std::size_t>(predicted[i])];
    right += truth[i] == predicted[i];
  }
  s.accuracy = truth.empty() ? 0.0 : static_cast<double>(right) / static_cast<double>(truth.size());
  // Macro-F1 over the classes that occur (in the truth or the predictions).
  double f1_sum = 0.0;
  std::size_t classes = 0;
  for (std::size_t c = 0; c < k; ++c) {
    std::size_t tp = s.confusion[c][c], fn = 0, fp = 0;
    for (std::size_t o = 0; o < k; ++o)
      if (o != c) fn += s.confusion[c][o], fp += s.confusion[o][c];
    if (tp + fn + fp == 0) continue;
    f1_sum += 2.0 * static_cast<double>(tp) / static_cast<double>(2 * tp + fp + fn);
    ++classes;
  }
  s.macro_f1 = classes ? f1_sum / static_cast<double>(classes) : 0.0;
  return s;
}

Interval mean_ci95(const std::vector<double>& v) {
  Interval r;
  r.n = v.size();
  if (v.empty()) return r;
  for (double x : v) r.mean += x;
  r.mean /= static_cast<double>(v.size());
  if (v.size() < 2) return r;
  double ss = 0.0;
  for (double x : v) ss += (x - r.mean) * (x - r.mean);
  r.sd = std::sqrt(ss / static_cast<double>(v.size() - 1));
  // Student's t, two-sided 95%, for 1..30 degrees of freedom; 1.96 beyond.
  static const double t975[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                                2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                                2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
  const std::size_t df = v.size() - 1;
  const double t = df <= 30 ? t975[df - 1] : 1.96;
  r.half_width = t * r.sd / std::sqrt(static_cast<double>(v.size()));
  return r;
}

}  // namespace melnorm::detail
