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

  std::size_t size() const;  // number of elements
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

// Writes float data of the given shape atomically (temporary file + rename),
// stored as float32 or float16 (`dtype`; others are refused).
void write_npy(const std::filesystem::path& path, std::span<const float> data, std::span<const std::size_t> shape,
               DType dtype = DType::kFloat32);

// The header of a C-order .npy (magic, version 1.0, dict), padded so the data
// starts on a 64-byte boundary and the header is at least `min_size` bytes
// (room to rewrite it later with a larger shape, as packed output does).
std::string npy_header(DType dtype, std::span<const std::size_t> shape, std::size_t min_size = 0);

// IEEE half precision, round to nearest even (what numpy's astype does).
std::uint16_t float_to_half(float value);
// The bytes `dtype` (float32 or float16) stores for `data`, little-endian.
std::vector<std::byte> encode_floats(std::span<const float> data, DType dtype);

}  // namespace melnorm
