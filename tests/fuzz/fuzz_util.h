// Shared by the libFuzzer harnesses: the input as a file (the readers take
// paths, as users give them) and the one exception type a bad input may raise.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

namespace melnorm::fuzz {

// A file holding the input, removed when the object goes (in /dev/shm: no disk I/O).
class InputFile {
 public:
  InputFile(const std::uint8_t* data, std::size_t size, const std::string& extension) {
    path_ = std::filesystem::path("/dev/shm") / ("melnorm-fuzz-" + std::to_string(::getpid()) + extension);
    std::FILE* f = std::fopen(path_.c_str(), "wb");
    if (f) {
      if (size) std::fwrite(data, 1, size, f);
      std::fclose(f);
    }
  }
  ~InputFile() { std::remove(path_.c_str()); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace melnorm::fuzz
