#include "melnorm/npy.h"

#include <algorithm>
#include <bit>
#include <cctype>
#include <cmath>
#include <cstring>
#include <fstream>
#include <numeric>
#include <string_view>

#include "io/atomic_file.h"
#include "io/limits.h"
#include "melnorm/error.h"

namespace melnorm {
namespace {

[[noreturn]] void bad(const std::filesystem::path& p, const std::string& why) {
  throw Error(ErrorCode::kInvalidData, "path", p.string() + ": not a valid .npy file: " + why);
}

std::size_t item_size(DType t) {
  switch (t) {
    case DType::kFloat32:
    case DType::kInt32: return 4;
    case DType::kFloat64:
    case DType::kInt64: return 8;
    case DType::kInt16:
    case DType::kFloat16: return 2;
    case DType::kUInt8: return 1;
  }
  return 0;
}

// The value of `key` in the header dict, as raw text up to the next top-level comma/brace.
std::string dict_value(const std::string& header, const std::string& key, const std::filesystem::path& p) {
  const std::string quoted = "'" + key + "'";
  auto pos = header.find(quoted);
  if (pos == std::string::npos) bad(p, "header has no " + quoted);
  pos = header.find(':', pos + quoted.size());
  if (pos == std::string::npos) bad(p, "header entry " + quoted + " has no value");
  ++pos;
  while (pos < header.size() && header[pos] == ' ') ++pos;
  if (header[pos] == '(') {
    const auto end = header.find(')', pos);
    if (end == std::string::npos) bad(p, "unterminated shape");
    return header.substr(pos, end - pos + 1);
  }
  auto end = header.find_first_of(",}", pos);
  return header.substr(pos, end - pos);
}

float half_to_float(std::uint16_t h) {
  const std::uint32_t sign = (h & 0x8000u) << 16, exp = (h >> 10) & 0x1f, mant = h & 0x3ffu;
  std::uint32_t bits;
  if (exp == 0) {
    if (mant == 0) bits = sign;
    else {  // subnormal
      float f = std::ldexp(static_cast<float>(mant), -24);
      return sign ? -f : f;
    }
  } else if (exp == 31) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else {
    bits = sign | ((exp + 112) << 23) | (mant << 13);
  }
  return std::bit_cast<float>(bits);
}

template <class T>
T load(const std::byte* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// The shape as NumPy prints it: "(3,)", "(2, 4)".
std::string shape_text(const std::vector<std::size_t>& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

[[noreturn]] void bad_shape(const std::filesystem::path& p, const std::string& text, const std::string& why) {
  throw Error(ErrorCode::kInvalidData, "shape", p.string() + ": shape " + text + " " + why);
}

// "(a, b, ...)" (from dict_value: starts with '(', ends with ')'), each a
// whole number below 2^64; at most kMaxNpyDims of them.
std::vector<std::size_t> parse_shape(const std::string& text, const std::filesystem::path& p) {
  const auto digit = [&](std::size_t i) { return std::isdigit(static_cast<unsigned char>(text[i])) != 0; };
  if (text.size() < 2 || text.front() != '(' || text.back() != ')')
    bad_shape(p, text, "is not a tuple of non-negative whole numbers");
  std::vector<std::size_t> shape;
  std::size_t i = 1;  // the closing ')' stops every scan below
  const auto skip_spaces = [&] {
    while (text[i] == ' ') ++i;
  };
  for (skip_spaces(); text[i] != ')'; skip_spaces()) {
    if (!digit(i)) bad_shape(p, text, "is not a tuple of non-negative whole numbers");
    std::size_t v = 0;
    for (; digit(i); ++i)
      if (__builtin_mul_overflow(v, 10u, &v) || __builtin_add_overflow(v, static_cast<std::size_t>(text[i] - '0'), &v))
        bad_shape(p, text, "has a dimension of 2^64 or more");
    if (shape.size() == detail::kMaxNpyDims)
      bad_shape(p, text, "has more than " + std::to_string(detail::kMaxNpyDims) + " dimensions");
    shape.push_back(v);
    skip_spaces();
    if (text[i] == ',') ++i;
    else if (text[i] != ')') bad_shape(p, text, "is not a tuple of non-negative whole numbers");
  }
  return shape;
}

// Elements of `shape`, refused when its bytes overflow 64 bits. The product
// of the non-zero dimensions must fit too: downstream code multiplies them
// (bands x frames) even for an empty array, and sizes buffers by them.
std::size_t element_count(const std::vector<std::size_t>& shape, std::size_t item_bytes,
                          const std::filesystem::path& p) {
  std::size_t extent = 1;
  bool empty = false, overflow = false;
  for (std::size_t d : shape) {
    empty |= d == 0;
    if (d) overflow |= __builtin_mul_overflow(extent, d, &extent);
  }
  overflow |= !detail::checked_mul(extent, item_bytes);
  if (overflow) bad_shape(p, shape_text(shape), "has more elements than fit in memory (its size overflows 64 bits)");
  if (empty && extent > detail::kMaxUnbackedElements)
    bad_shape(p, shape_text(shape),
              "is an empty array whose other dimensions hold " + std::to_string(extent) + " elements; at most " +
                  std::to_string(detail::kMaxUnbackedElements));
  return empty ? 0 : extent;
}

// Reads `bytes` of array data: a file too short for them is refused before
// anything is allocated (when its size is known), and read in chunks
// otherwise, so memory follows the bytes actually there.
void read_data(std::ifstream& in, std::vector<std::byte>& data, std::size_t bytes, const std::filesystem::path& p) {
  const auto truncated = [&](std::size_t held) {
    throw Error(ErrorCode::kInvalidData, "shape",
                p.string() + ": header says " + std::to_string(bytes) + " bytes of data, the file holds " +
                    std::to_string(held) + " (truncated)");
  };
  const std::streamoff start = in.tellg();
  in.seekg(0, std::ios::end);
  const std::streamoff end = in.tellg();
  in.seekg(start);
  if (start >= 0 && end >= start) {
    if (static_cast<std::size_t>(end - start) < bytes) truncated(static_cast<std::size_t>(end - start));
    data.reserve(bytes);
  }
  in.clear();
  constexpr std::size_t kChunk = std::size_t{64} << 20;
  while (data.size() < bytes) {
    const std::size_t done = data.size(), want = std::min(kChunk, bytes - done);
    data.resize(done + want);
    in.read(reinterpret_cast<char*>(data.data() + done), static_cast<std::streamsize>(want));
    if (static_cast<std::size_t>(in.gcount()) != want) truncated(done + static_cast<std::size_t>(in.gcount()));
  }
}

}  // namespace

std::string to_string(DType dtype) {
  switch (dtype) {
    case DType::kFloat32: return "float32";
    case DType::kFloat64: return "float64";
    case DType::kInt16: return "int16";
    case DType::kInt32: return "int32";
    case DType::kInt64: return "int64";
    case DType::kUInt8: return "uint8";
    case DType::kFloat16: return "float16";
  }
  return "?";
}

std::size_t NpyArray::size() const {
  return std::accumulate(shape.begin(), shape.end(), std::size_t{1}, std::multiplies<>());
}

std::vector<float> NpyArray::to_float32(bool scale_int16) const {
  const std::size_t n = size();
  std::vector<float> out(n);
  const std::byte* p = data.data();
  switch (dtype) {
    case DType::kFloat32:
      if (n) std::memcpy(out.data(), p, n * 4);
      break;  // empty: both pointers may be null
    case DType::kFloat64:
      for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<float>(load<double>(p + 8 * i));
      break;
    case DType::kInt16: {
      const float s = scale_int16 ? 1.0f / 32768.0f : 1.0f;
      for (std::size_t i = 0; i < n; ++i) out[i] = load<std::int16_t>(p + 2 * i) * s;
      break;
    }
    case DType::kInt32:
      for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<float>(load<std::int32_t>(p + 4 * i));
      break;
    case DType::kInt64:
      for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<float>(load<std::int64_t>(p + 8 * i));
      break;
    case DType::kUInt8:
      for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<float>(load<std::uint8_t>(p + i));
      break;
    case DType::kFloat16:
      for (std::size_t i = 0; i < n; ++i) out[i] = half_to_float(load<std::uint16_t>(p + 2 * i));
      break;
  }
  return out;
}

bool is_npy_path(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == ".npy";
}

std::vector<std::size_t> NpyArray::to_sizes(const std::string& what) const {
  const std::size_t n = size();
  std::vector<std::size_t> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    double v = 0;
    const std::byte* p = data.data();
    switch (dtype) {
      case DType::kInt64: v = static_cast<double>(load<std::int64_t>(p + 8 * i)); break;
      case DType::kInt32: v = load<std::int32_t>(p + 4 * i); break;
      case DType::kInt16: v = load<std::int16_t>(p + 2 * i); break;
      case DType::kUInt8: v = load<std::uint8_t>(p + i); break;
      case DType::kFloat64: v = load<double>(p + 8 * i); break;
      case DType::kFloat32: v = load<float>(p + 4 * i); break;
      case DType::kFloat16: v = half_to_float(load<std::uint16_t>(p + 2 * i)); break;
    }
    if (!(v >= 0) || v != std::floor(v))
      throw Error(ErrorCode::kInvalidData, what,
                  what + "[" + std::to_string(i) + "]=" + std::to_string(v) + " must be a non-negative whole number");
    out[i] = static_cast<std::size_t>(v);
  }
  return out;
}

std::vector<std::filesystem::path> find_npy_files(std::span<const std::string> inputs) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (const auto& input : inputs) {
    std::error_code ec;
    if (fs::is_directory(input, ec)) {
      std::vector<fs::path> found;
      for (auto it = fs::recursive_directory_iterator(input, ec); !ec && it != fs::recursive_directory_iterator();
           it.increment(ec))
        if (it->is_regular_file() && is_npy_path(it->path())) found.push_back(it->path());
      if (ec) throw Error(ErrorCode::kIo, "path", input + ": cannot list folder: " + ec.message());
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::exists(input, ec)) {
      files.emplace_back(input);
    } else {
      throw Error(ErrorCode::kIo, "path", input + ": no such file or folder");
    }
  }
  if (files.empty()) throw Error(ErrorCode::kInvalidData, "path", "no .npy feature files found in the inputs");
  return files;
}

NpyArray read_npy(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw Error(ErrorCode::kIo, "path", path.string() + ": no such file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kIo, "path", path.string() + ": cannot open for reading");
  char magic[8];
  if (!in.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0) bad(path, "missing the \\x93NUMPY magic");
  const int major = static_cast<unsigned char>(magic[6]);
  std::uint32_t header_len = 0;
  if (major == 1) {
    unsigned char b[2];
    if (!in.read(reinterpret_cast<char*>(b), 2)) bad(path, "truncated header");
    header_len = b[0] | (b[1] << 8);
  } else if (major == 2 || major == 3) {
    unsigned char b[4];
    if (!in.read(reinterpret_cast<char*>(b), 4)) bad(path, "truncated header");
    header_len = b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<std::uint32_t>(b[3]) << 24);
  } else {
    bad(path, "unsupported format version " + std::to_string(major));
  }
  if (header_len > (1u << 20)) bad(path, "header too large");
  std::string header(header_len, '\0');
  if (!in.read(header.data(), header_len)) bad(path, "truncated header");

  std::string descr = dict_value(header, "descr", path);
  descr.erase(std::remove(descr.begin(), descr.end(), '\''), descr.end());
  if (descr.size() < 2) bad(path, "bad descr '" + descr + "'");
  const char order = descr[0];
  if (std::string_view("<>|=").find(order) == std::string_view::npos)
    bad(path, "bad byte order in descr '" + descr + "'");
  const std::string code = descr.substr(1);
  NpyArray a;
  if (code == "f4") a.dtype = DType::kFloat32;
  else if (code == "f8") a.dtype = DType::kFloat64;
  else if (code == "i2") a.dtype = DType::kInt16;
  else if (code == "i4") a.dtype = DType::kInt32;
  else if (code == "i8") a.dtype = DType::kInt64;
  else if (code == "u1") a.dtype = DType::kUInt8;
  else if (code == "f2") a.dtype = DType::kFloat16;
  else
    throw Error(ErrorCode::kInvalidData, "dtype",
                path.string() + ": dtype '" + descr +
                    "' is not supported; allowed: float32, float64, float16, int16, int32, int64, uint8");
  const bool swap = order == '>' && item_size(a.dtype) > 1;

  const std::string fortran = dict_value(header, "fortran_order", path);
  const bool fortran_order = fortran.find("True") != std::string::npos;
  a.shape = parse_shape(dict_value(header, "shape", path), path);
  const std::size_t isz = item_size(a.dtype);
  const std::size_t n = element_count(a.shape, isz, path);
  read_data(in, a.data, n * isz, path);
  if (swap)
    for (std::size_t i = 0; i < n; ++i) std::reverse(a.data.begin() + i * isz, a.data.begin() + (i + 1) * isz);
  if (fortran_order && a.shape.size() > 1) {  // reorder to C order
    std::vector<std::byte> c_order(a.data.size());
    const std::size_t nd = a.shape.size();
    std::vector<std::size_t> idx(nd, 0);
    for (std::size_t lin = 0; lin < n; ++lin) {  // lin walks C order
      std::size_t f = 0, stride = 1;
      for (std::size_t d = 0; d < nd; ++d) {
        f += idx[d] * stride;
        stride *= a.shape[d];
      }
      std::memcpy(&c_order[lin * isz], &a.data[f * isz], isz);
      for (std::size_t d = nd; d-- > 0;) {
        if (++idx[d] < a.shape[d]) break;
        idx[d] = 0;
      }
    }
    a.data = std::move(c_order);
  }
  return a;
}

std::string npy_header(DType dtype, std::span<const std::size_t> shape, std::size_t min_size) {
  const char* descr = nullptr;
  switch (dtype) {
    case DType::kFloat32: descr = "<f4"; break;
    case DType::kFloat16: descr = "<f2"; break;
    case DType::kFloat64: descr = "<f8"; break;
    case DType::kInt16: descr = "<i2"; break;
    case DType::kInt32: descr = "<i4"; break;
    case DType::kInt64: descr = "<i8"; break;
    case DType::kUInt8: descr = "|u1"; break;
  }
  std::string dims;
  for (std::size_t d : shape) dims += std::to_string(d) + ", ";
  if (shape.size() > 1) dims.resize(dims.size() - 2);
  else if (shape.size() == 1) dims.pop_back();
  std::string dict = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
  std::size_t total = 10 + dict.size() + 1;  // magic+version+len, dict, '\n'
  total = std::max(total, min_size);
  total = (total + 63) / 64 * 64;
  if (total - 10 > 0xffff) throw_invalid_argument("shape", "array header too large for .npy format 1.0");
  dict.append(total - 10 - dict.size() - 1, ' ');
  dict.push_back('\n');
  std::string out("\x93NUMPY\x01\x00", 8);
  out.push_back(static_cast<char>(dict.size() & 0xff));
  out.push_back(static_cast<char>(dict.size() >> 8));
  return out + dict;
}

std::uint16_t float_to_half(float value) {
  const std::uint32_t f = std::bit_cast<std::uint32_t>(value);
  const std::uint32_t sign = (f >> 16) & 0x8000u;
  const std::uint32_t abs = f & 0x7fffffffu;
  if (abs >= 0x7f800000u)
    return static_cast<std::uint16_t>(sign | 0x7c00u | (abs > 0x7f800000u ? 0x200u : 0u));  // inf/nan
  if (abs >= 0x477ff000u) return static_cast<std::uint16_t>(sign | 0x7c00u);  // rounds to >= 65520: overflow to inf
  if (abs < 0x38800000u) {  // subnormal half (or zero): value / 2^-24, rounded to nearest even
    const float scaled = std::bit_cast<float>(abs) * 16777216.0f;  // exact: power of two
    return static_cast<std::uint16_t>(sign | static_cast<std::uint32_t>(std::nearbyint(scaled)));
  }
  // normal: rebias the exponent, round the 13 dropped mantissa bits to nearest even
  std::uint32_t h = ((abs >> 13) - (112u << 10));
  const std::uint32_t rest = abs & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) ++h;
  return static_cast<std::uint16_t>(sign | h);
}

std::vector<std::byte> encode_floats(std::span<const float> data, DType dtype) {
  static_assert(std::endian::native == std::endian::little, "npy output assumes a little-endian host");
  std::vector<std::byte> out;
  if (dtype == DType::kFloat32) {
    out.resize(data.size() * 4);
    std::memcpy(out.data(), data.data(), out.size());
  } else if (dtype == DType::kFloat16) {
    out.resize(data.size() * 2);
    for (std::size_t i = 0; i < data.size(); ++i) {
      const std::uint16_t h = float_to_half(data[i]);
      std::memcpy(&out[2 * i], &h, 2);
    }
  } else {
    throw_invalid_argument("dtype",
                           "dtype=" + to_string(dtype) + " is not supported for output; allowed: float32, float16");
  }
  return out;
}

void write_npy(const std::filesystem::path& path, std::span<const float> data, std::span<const std::size_t> shape,
               DType dtype) {
  const std::size_t n = std::accumulate(shape.begin(), shape.end(), std::size_t{1}, std::multiplies<>());
  if (n != data.size())
    throw_invalid_argument(
        "shape", "shape holds " + std::to_string(n) + " elements but data has " + std::to_string(data.size()));
  if (dtype != DType::kFloat32 && dtype != DType::kFloat16) (void)encode_floats({}, dtype);  // refused by name
  const std::string header = npy_header(dtype, shape);
  detail::AtomicFile out(path);
  out.write(header.data(), header.size());
  // In pieces: no copy of the whole array (a long recording's output is hundreds of MiB).
  constexpr std::size_t kPiece = std::size_t{1} << 20;
  for (std::size_t at = 0; at < data.size(); at += kPiece) {
    const std::span<const float> piece = data.subspan(at, std::min(kPiece, data.size() - at));
    if (dtype == DType::kFloat32) {
      out.write(piece.data(), piece.size_bytes());  // little-endian host: the bytes as they are
    } else {
      const std::vector<std::byte> bytes = encode_floats(piece, dtype);
      out.write(bytes.data(), bytes.size());
    }
  }
  out.commit();
}

}  // namespace melnorm
