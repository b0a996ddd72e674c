// Output files appear whole or not at all: data goes to a temporary name in
// the target's folder (or in `temp_dir`, on the same file system) and is
// renamed into place by commit(). A writer destroyed without commit() (an
// exception) removes it; after kill -9 it stays, so a caller that can be
// resumed gives a temp_dir it empties at start-up (extract: OUTDIR/.tmp).
#pragma once

#include <cstddef>
#include <cstdio>
#include <filesystem>

namespace melnorm::detail {

class AtomicFile {
 public:
  // A single output file (mel -o, fit-stats -o, show -o, ...): its folder
  // must exist; a missing one is refused naming it (a typo in the path does
  // not become a new folder). Throws Error(kIo) naming the path.
  explicit AtomicFile(std::filesystem::path target);
  // A file inside a folder the caller owns (extract's OUTDIR): the target's
  // parent folders are created. The temporary goes in `temp_dir` (which must exist).
  AtomicFile(std::filesystem::path target, const std::filesystem::path& temp_dir);
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

  void open(const std::filesystem::path& temp_dir, bool create_parents);
};

}  // namespace melnorm::detail
