// The lock of an OUTDIR: one writer at a time.
#pragma once

#include <filesystem>

namespace melnorm::detail {

// Holds OUTDIR for one writer: an flock on OUTDIR/.lock, which the kernel
// drops when the holder dies (a killed run never blocks its resume), with the
// holder's pid inside for the message that refuses a second writer.
class OutdirLock {
 public:
  // Throws Error(kIo) naming the holder's pid when another writer holds OUTDIR.
  explicit OutdirLock(const std::filesystem::path& out_dir);
  ~OutdirLock() { release(); }
  OutdirLock(const OutdirLock&) = delete;
  OutdirLock& operator=(const OutdirLock&) = delete;
  void release();

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

}  // namespace melnorm::detail
