// A dense row-major float32 matrix: the library's spectrogram type,
// laid out [rows = n_mels][cols = n_frames] as librosa returns them.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace melnorm {

struct Matrix {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<float> data;  // rows * cols values, row-major

  Matrix() = default;
  Matrix(std::size_t r, std::size_t c) : rows(r), cols(c), data(r * c, 0.0f) {}

  float& operator()(std::size_t r, std::size_t c) { return data[r * cols + c]; }
  float operator()(std::size_t r, std::size_t c) const { return data[r * cols + c]; }
  std::span<float> row(std::size_t r) { return {data.data() + r * cols, cols}; }
  std::span<const float> row(std::size_t r) const { return {data.data() + r * cols, cols}; }
};

}  // namespace melnorm
