// Classification metrics and the statistics of repeated runs.
#pragma once

#include <cstddef>
#include <vector>

namespace melnorm::detail {

struct Scores {
  double accuracy = 0.0;
  double macro_f1 = 0.0;
  std::vector<std::vector<std::size_t>> confusion;  // [true][predicted]
};

// From logits [n, n_classes] (row-major) and the true classes.
std::vector<int> argmax_rows(const std::vector<float>& logits, std::size_t n, int n_classes);
Scores score(const std::vector<int>& truth, const std::vector<int>& predicted, int n_classes);

// Mean and the half-width of its 95% confidence interval (Student's t over
// n values; 0 for a single value), and the sample standard deviation.
struct Interval {
  double mean = 0.0, half_width = 0.0, sd = 0.0;
  std::size_t n = 0;
  double low() const { return mean - half_width; }
  double high() const { return mean + half_width; }
};
Interval mean_ci95(const std::vector<double>& values);

}  // namespace melnorm::detail
