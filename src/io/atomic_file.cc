#include "io/atomic_file.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>

#include "melnorm/error.h"

namespace melnorm::detail {
namespace {

[[noreturn]] void io_error(const std::filesystem::path& p, const std::string& what, int err) {
  throw Error(ErrorCode::kIo, "path", p.string() + ": " + what + ": " + std::strerror(err));
}

}  // namespace

AtomicFile::AtomicFile(std::filesystem::path target) : target_(std::move(target)) {
  open(target_.parent_path(), false);
}

AtomicFile::AtomicFile(std::filesystem::path target, const std::filesystem::path& temp_dir)
    : target_(std::move(target)) {
  open(temp_dir, true);
}

void AtomicFile::open(const std::filesystem::path& temp_dir, bool create_parents) {
  static std::atomic<unsigned> counter{0};
  if (target_.filename().empty()) throw Error(ErrorCode::kIo, "path", "'" + target_.string() + "' is not a file name");
  const auto parent = target_.parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    if (create_parents) {
      std::filesystem::create_directories(parent, ec);
      if (ec) throw Error(ErrorCode::kIo, "path", parent.string() + ": cannot create folder: " + ec.message());
    } else if (!std::filesystem::is_directory(parent, ec)) {
      const bool exists = std::filesystem::exists(parent, ec);
      throw Error(ErrorCode::kIo, "path",
                  target_.string() + ": cannot write: the folder " + parent.string() +
                      (exists ? " is not a folder" : " does not exist (create it first)"));
    }
  }
  temp_ = temp_dir / target_.filename();
  temp_ += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  file_ = std::fopen(temp_.c_str(), "wb");
  if (!file_) io_error(target_, "cannot open for writing", errno);
}

AtomicFile::~AtomicFile() {
  if (file_) {
    std::fclose(file_);
    std::error_code ec;
    std::filesystem::remove(temp_, ec);
  }
}

void AtomicFile::write(const void* data, std::size_t bytes) {
  if (bytes && std::fwrite(data, 1, bytes, file_) != bytes) io_error(target_, "write failed", errno);
}

void AtomicFile::commit() {
  // No fsync: rename is atomic against interruption (Ctrl-C, kill -9), which
  // is the promise; syncing every file would cost bulk extraction dearly.
  if (std::fflush(file_) != 0) io_error(target_, "write failed", errno);
  const int rc = std::fclose(file_);
  file_ = nullptr;
  if (rc != 0) {
    std::error_code ec;
    std::filesystem::remove(temp_, ec);
    io_error(target_, "write failed", errno);
  }
  if (std::rename(temp_.c_str(), target_.c_str()) != 0) {
    const int err = errno;
    std::error_code ec;
    std::filesystem::remove(temp_, ec);
    io_error(target_, "cannot rename into place", err);
  }
}

}  // namespace melnorm::detail
