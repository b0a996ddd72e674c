#include "io/append_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "melnorm/error.h"

namespace melnorm::detail {

AppendFile::AppendFile(const std::filesystem::path& path, std::uintmax_t resume_at) : path_(path), size_(resume_at) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) std::filesystem::resize_file(path, resume_at, ec);
  if (ec) throw Error(ErrorCode::kIo, "path", path.string() + ": cannot truncate: " + ec.message());
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0)
    throw Error(ErrorCode::kIo, "path", path.string() + ": cannot open for appending: " + std::strerror(errno));
}

AppendFile::~AppendFile() {
  if (fd_ >= 0) ::close(fd_);
}

void AppendFile::append(const void* data, std::size_t bytes) {
  const char* p = static_cast<const char*>(data);
  for (std::size_t done = 0; done < bytes;) {
    const ssize_t w = ::write(fd_, p + done, bytes - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) throw Error(ErrorCode::kIo, "path", path_.string() + ": write failed: " + std::strerror(errno));
    done += static_cast<std::size_t>(w);
  }
  size_ += bytes;
}

}  // namespace melnorm::detail
