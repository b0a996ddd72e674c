#include "io/text_file.h"

#include <fstream>
#include <iterator>
#include <system_error>

#include "melnorm/error.h"

namespace melnorm::detail {

namespace fs = std::filesystem;

void check_file_size(const fs::path& path, std::size_t max_bytes, const char* param) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return;
  const std::uintmax_t size = fs::file_size(path, ec);
  if (!ec && size > max_bytes)
    throw Error(ErrorCode::kInvalidData, param,
                path.string() + ": " + std::to_string(size) + " bytes, more than the " + std::to_string(max_bytes) +
                    " melnorm reads from such a file (src/io/limits.h)");
}

std::string read_text_file(const fs::path& path, std::size_t max_bytes, const char* param) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error(ErrorCode::kIo, param, path.string() + ": no such file");
  if (fs::is_directory(path, ec)) throw Error(ErrorCode::kIo, param, path.string() + ": is a folder, not a file");
  check_file_size(path, max_bytes, param);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kIo, param, path.string() + ": cannot open for reading");
  std::string text;
  char buffer[65536];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {  // bounded even when the size was unknown (a pipe)
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_bytes)
      throw Error(
          ErrorCode::kInvalidData, param,
          path.string() + ": more than the " + std::to_string(max_bytes) + " bytes melnorm reads from such a file");
  }
  if (in.bad()) throw Error(ErrorCode::kIo, param, path.string() + ": read error");
  return text;
}

}  // namespace melnorm::detail
