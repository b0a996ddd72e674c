#include "melnorm/window.h"

#include <cmath>
#include <numbers>

#include "melnorm/error.h"

namespace melnorm {

WindowType parse_window(std::string_view name, std::string param) {
  if (name == "hann" || name == "hanning") return WindowType::kHann;
  if (name == "hamming") return WindowType::kHamming;
  if (name == "blackman") return WindowType::kBlackman;
  if (name == "rect" || name == "rectangular" || name == "boxcar" || name == "ones") return WindowType::kRectangular;
  throw_invalid_argument(param, param + "='" + std::string(name) +
                                    "' is not a known window; allowed: hann, "
                                    "hamming, blackman, rect");
}

std::string to_string(WindowType window) {
  switch (window) {
    case WindowType::kHann: return "hann";
    case WindowType::kHamming: return "hamming";
    case WindowType::kBlackman: return "blackman";
    case WindowType::kRectangular: return "rect";
  }
  return "?";
}

std::vector<double> make_window(WindowType window, int length) {
  if (length <= 0)
    throw_invalid_argument("win_length", "win_length=" + std::to_string(length) + " must be a positive integer");
  std::vector<double> w(static_cast<std::size_t>(length));
  // Periodic: the symmetric window of length + 1 with its last sample dropped.
  const double step = 2.0 * std::numbers::pi / length;
  for (int n = 0; n < length; ++n) {
    const double x = step * n;
    switch (window) {
      case WindowType::kHann: w[n] = 0.5 - 0.5 * std::cos(x); break;
      case WindowType::kHamming: w[n] = 0.54 - 0.46 * std::cos(x); break;
      case WindowType::kBlackman: w[n] = 0.42 - 0.5 * std::cos(x) + 0.08 * std::cos(2.0 * x); break;
      case WindowType::kRectangular: w[n] = 1.0; break;
    }
  }
  return w;
}

}  // namespace melnorm
