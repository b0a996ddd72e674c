// Waveform perturbations of the test audio: gain (then clipping to [-1, 1]),
// one full-scale click, additive white noise at an SNR. Deterministic: the
// click position and the noise come from `seed`.
#pragma once

#include <cstdint>
#include <vector>

#include "melnorm/experiment.h"

namespace melnorm::detail {

std::vector<float> perturb(const std::vector<float>& y, const Condition& condition, std::uint64_t seed);

}  // namespace melnorm::detail
