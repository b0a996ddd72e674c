#include "io/outdir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>

#include "melnorm/error.h"

namespace melnorm::detail {

namespace fs = std::filesystem;

namespace {

constexpr const char* kLockFile = ".lock";  // held while a writer owns OUTDIR

// The pid a holder wrote into the lock file (it may not have written it yet).
std::string lock_holder(int fd) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    char buf[32] = {};
    const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    if (n > 0 && buf[n - 1] == '\n') return std::string(buf, static_cast<std::size_t>(n - 1));
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return "unknown";
}

}  // namespace

void OutdirLock::release() {
  if (fd_ < 0) return;
  ::unlink(path_.c_str());  // before close: a waiting opener sees another inode and retries
  ::close(fd_);
  fd_ = -1;
}

OutdirLock::OutdirLock(const fs::path& out_dir) : path_(out_dir / kLockFile) {
  for (;;) {
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw Error(ErrorCode::kIo, "out_dir", path_.string() + ": cannot open: " + std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      if (err != EWOULDBLOCK) {  // a file system without locks: run unguarded rather than not at all
        warn(path_.string() + ": cannot lock (" + std::strerror(err) +
             "); a second extract into this OUTDIR would not be refused");
        break;
      }
      const std::string holder = lock_holder(fd_);
      ::close(fd_);
      fd_ = -1;
      throw Error(ErrorCode::kIo, "out_dir",
                  "OUTDIR " + out_dir.string() + " is being written by another melnorm extract (pid " + holder +
                      "); wait for it or choose another OUTDIR");
    }
    // A holder that finished unlinked the file we opened: locking it holds nothing.
    struct stat held {
    }, named{};
    if (::fstat(fd_, &held) == 0 && ::stat(path_.c_str(), &named) == 0 && held.st_ino == named.st_ino &&
        held.st_dev == named.st_dev)
      break;
    ::close(fd_);
  }
  // The pid only serves the message: a full disk must not stop the run here.
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) == 0) { [[maybe_unused]] const ssize_t written = ::pwrite(fd_, pid.data(), pid.size(), 0); }
}

}  // namespace melnorm::detail
