// A file that only grows, for journals and outputs appended as work completes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace melnorm::detail {

// Appends with one write(2) per call, no user-space buffer: what append()
// returned is in the file (the kernel's page cache) even if the process is
// killed the next moment. A resume opens the file cut back to the size its
// journal recorded, dropping what an interrupted run wrote after it.
class AppendFile {
 public:
  // Opens `path` for appending (created if missing), first truncated to
  // `resume_at` bytes when it exists. Throws Error(kIo) naming the path.
  AppendFile(const std::filesystem::path& path, std::uintmax_t resume_at);
  ~AppendFile();
  AppendFile(const AppendFile&) = delete;
  AppendFile& operator=(const AppendFile&) = delete;

  void append(const void* data, std::size_t bytes);
  void append(const std::string& text) { append(text.data(), text.size()); }
  std::uintmax_t size() const { return size_; }  // resume_at plus what was appended

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::uintmax_t size_ = 0;
};

}  // namespace melnorm::detail
