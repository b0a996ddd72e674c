// Analysis windows, periodic ("DFT-even") as scipy.signal.get_window(...,
// fftbins=True) makes them, which is what librosa and torch.stft use.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace melnorm {

enum class WindowType { kHann, kHamming, kBlackman, kRectangular };

// "hann", "hamming", "blackman", "rect" (also "rectangular", "boxcar", "ones").
// Throws Error naming `param` and the allowed values otherwise.
WindowType parse_window(std::string_view name, std::string param = "window");
std::string to_string(WindowType window);

// The periodic window of `length` samples, in double precision.
std::vector<double> make_window(WindowType window, int length);

}  // namespace melnorm
