#include "dataset/resume_journal.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "melnorm/error.h"

namespace melnorm::detail {

namespace fs = std::filesystem;

ResumePoint read_resume_point(const fs::path& out_dir, std::size_t n_sources, const OutputFormat& format) {
  const fs::path path = out_dir / kProgressFile;
  std::ifstream in(path);
  ResumePoint at;
  char line[256];  // a journal line is six numbers: a longer one is not ours
  std::size_t line_no = 0;
  while (in.getline(line, sizeof line)) {
    ++line_no;
    if (in.eof()) break;  // an unterminated last line was cut by an interruption
    unsigned long long v[6];
    char extra;
    if (std::sscanf(line, "%llu %llu %llu %llu %llu %llu %c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &extra) != 6)
      break;
    at = ResumePoint{v[0], v[3], v[4], v[5], v[1], v[2], at.progress_bytes + std::strlen(line) + 1};
  }
  const auto refuse = [&](const std::string& why) {
    return Error(
        ErrorCode::kInvalidData, "out_dir",
        path.string() + ": " + why + "; the folder was changed since that run: remove OUTDIR or choose another");
  };
  if (in.fail() && !in.eof()) throw refuse("line " + std::to_string(line_no + 1) + " is longer than a journal line");
  if (at.next_source > n_sources)
    throw refuse("says " + std::to_string(at.next_source) + " sources are done, the input has " +
                 std::to_string(n_sources));
  if (at.ok_rows + at.failed > at.rows || (at.next_source > 0 && at.manifest_bytes == 0))
    throw refuse("inconsistent counts (rows " + std::to_string(at.rows) + ", ok " + std::to_string(at.ok_rows) +
                 ", failed " + std::to_string(at.failed) + ")");
  std::error_code ec;
  const auto check_size = [&](const fs::path& file, std::uintmax_t claimed) {
    if (at.next_source == 0 || claimed == 0) return;
    const std::uintmax_t size = fs::exists(file, ec) ? fs::file_size(file, ec) : 0;
    if (size < claimed)
      throw refuse("says " + file.filename().string() + " holds " + std::to_string(claimed) + " bytes, it holds " +
                   std::to_string(size));
  };
  check_size(out_dir / "manifest.csv", at.manifest_bytes);
  if (const fs::path sink_file = format.resume_file(out_dir); !sink_file.empty()) check_size(sink_file, at.sink_bytes);
  return at;
}

}  // namespace melnorm::detail
