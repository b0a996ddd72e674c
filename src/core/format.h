// Number formatting for error messages: shortest form that round-trips
// for the values users type ("0.5", "22050", "1e-10").
#pragma once

#include <cstdio>
#include <string>

namespace melnorm::detail {

inline std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

inline std::string num(long long v) { return std::to_string(v); }
inline std::string num(int v) { return std::to_string(v); }
inline std::string num(std::size_t v) { return std::to_string(v); }

}  // namespace melnorm::detail
