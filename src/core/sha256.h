// SHA-256 (FIPS 180-4), for the integrity record of a saved model folder: a
// truncated or edited file is refused by its digest before it is parsed, and
// Python's hashlib checks the same digests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace melnorm::detail {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, std::size_t bytes);
  void update(std::string_view text) { update(text.data(), text.size()); }
  std::string hex_digest();  // finishes: call once

 private:
  void block(const unsigned char* p);
  std::uint32_t h_[8];
  unsigned char buffer_[64];
  std::size_t buffered_ = 0;
  std::uint64_t total_ = 0;
};

std::string sha256_hex(std::string_view text);
// Throws Error(kIo) naming the file when it cannot be read.
std::string sha256_file(const std::filesystem::path& path);

}  // namespace melnorm::detail
