// A finished output file mapped read-only, for readers that hand out rows in place.
#pragma once

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "melnorm/error.h"

namespace melnorm::detail {

// An OUTDIR file (features.npy, a shard) mapped read-only (POSIX mmap),
// unmapped by the last owner: the reader and every FeaturesView it handed
// out share it. Where the file
// system cannot map (some network and FUSE mounts), the file is read into
// memory instead: slower to open, the same rows.
class MappedFile {
 public:
  explicit MappedFile(const std::filesystem::path& path) : path_(path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      const int err = errno;
      throw Error(ErrorCode::kIo, "out_dir",
                  path.string() + (err == ENOENT ? ": missing; the extraction has not finished (re-run it to resume)"
                                                 : ": cannot be opened: " + std::string(std::strerror(err))));
    }
    try {
      map_or_read(fd);
    } catch (...) {
      ::close(fd);
      throw;
    }
    ::close(fd);  // a mapping keeps the file
  }
  ~MappedFile() {
    if (mapped_) ::munmap(const_cast<char*>(data_), size_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const char* data() const { return data_; }
  std::size_t size() const { return size_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  void map_or_read(int fd) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) fail("cannot be read", errno);
    size_ = static_cast<std::size_t>(st.st_size);
    if (size_ == 0) throw Error(ErrorCode::kInvalidData, "out_dir", path_.string() + ": empty (0 bytes); re-extract");
    void* data = ::mmap(nullptr, size_, PROT_READ, MAP_SHARED, fd, 0);
    if (data != MAP_FAILED) {
      data_ = static_cast<const char*>(data);
      mapped_ = true;
      return;
    }
    copy_.resize(size_);
    for (std::size_t done = 0; done < size_;) {
      const ssize_t n = ::pread(fd, copy_.data() + done, size_ - done, static_cast<off_t>(done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) fail("cannot be read", n < 0 ? errno : EIO);
      done += static_cast<std::size_t>(n);
    }
    data_ = copy_.data();
  }
  [[noreturn]] void fail(const char* what, int err) const {
    throw Error(ErrorCode::kIo, "out_dir", path_.string() + ": " + what + ": " + std::strerror(err));
  }

  std::filesystem::path path_;
  const char* data_ = nullptr;
  std::size_t size_ = 0;
  bool mapped_ = false;
  std::vector<char> copy_;  // the file's bytes where it could not be mapped
};

}  // namespace melnorm::detail
