// Output files appear whole or not at all: data goes to a temporary name in
// the target's folder and is renamed into place by commit(). A writer
// destroyed without commit() (an exception, an interruption) removes it.
#pragma once

#include <cstddef>
#include <cstdio>
#include <filesystem>

namespace melnorm::detail {

class AtomicFile {
 public:
  // Creates the target's parent folders. Throws Error(kIo) naming the path.
  explicit AtomicFile(std::filesystem::path target);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(const void* data, std::size_t bytes);
  // Flushes and renames over the target (atomic on POSIX file systems).
  void commit();

 private:
  std::filesystem::path target_;
  std::filesystem::path temp_;
  std::FILE* file_ = nullptr;
};

}  // namespace melnorm::detail
