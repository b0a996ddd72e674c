// Perceptually uniform colormaps (matplotlib's), 256 RGB entries each.
#pragma once

#include <array>

namespace melnorm::detail {

extern const std::array<std::array<unsigned char, 3>, 256> kMagma;
extern const std::array<std::array<unsigned char, 3>, 256> kViridis;

}  // namespace melnorm::detail
