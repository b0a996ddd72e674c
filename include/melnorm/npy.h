// NumPy .npy files (format 1.0/2.0/3.0), the exchange format with Python.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace melnorm {

enum class DType { kFloat32, kFloat64, kInt16, kInt32, kInt64, kUInt8, kFloat16 };
std::string to_string(DType dtype);  // NumPy's name: "float32", ...

struct NpyArray {
  DType dtype = DType::kFloat32;
  std::vector<std::size_t> shape;
  std::vector<std::byte> data;  // native byte order, C (row-major) order

  std::size_t size() const;     // number of elements
  // Element values converted to float32 (int16 is scaled by 1/32768 when
  // `scale_int16` is set, the audio convention).
  std::vector<float> to_float32(bool scale_int16 = false) const;
  // Element values as non-negative integers (lengths, indices); throws Error
  // naming `what` for negative or fractional values.
  std::vector<std::size_t> to_sizes(const std::string& what) const;
};

// True when the path ends in .npy (any case).
bool is_npy_path(const std::filesystem::path& path);

// The .npy files among `inputs`: files as given, folders searched
// recursively (sorted, so the order is the same on every run). Throws Error
// for a path that does not exist or when nothing is found.
std::vector<std::filesystem::path> find_npy_files(std::span<const std::string> inputs);

// Reads any little- or big-endian array of the supported dtypes, C or
// Fortran order. Throws Error(kIo / kInvalidData) naming the file and problem.
NpyArray read_npy(const std::filesystem::path& path);

// Writes float32 data of the given shape atomically (temporary file + rename).
void write_npy(const std::filesystem::path& path, std::span<const float> data,
               std::span<const std::size_t> shape);

}  // namespace melnorm
