// The pieces of format `shards` (formats/shards_output.cc) that the CLI's
// writer, a cluster worker's ExtractWorker::write_shard and the reader share:
// one shard is a plain ustar tar, WebDataset's layout (KEY.json then KEY.npy
// per ok row), written deterministically: the same rows give the same bytes
// wherever and whenever they are written.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/sha256.h"
#include "dataset/sources.h"
#include "io/atomic_file.h"
#include "melnorm/extract.h"

namespace melnorm::detail {

inline constexpr const char* kShardIndex = "shards.json";  // the finished index
inline constexpr const char* kShardJournal = ".shards";    // one line per written shard, while a run goes on
inline constexpr int kShardIndexVersion = 1;

std::string shard_file(std::size_t shard);  // "shard-000003.tar"
// A row's key: the clip's index, "000000012", plus "_s0003" for a segment; no dots (WebDataset splits at one).
std::string shard_key(std::size_t clip, std::size_t segment, bool segmented);

// One shard being written: members go to a temporary file in tmp_dir, hashed
// as they are written; commit() renames it into OUTDIR whole.
class ShardTarWriter {
 public:
  ShardTarWriter(const std::filesystem::path& out_dir, const std::filesystem::path& tmp_dir, std::size_t shard);
  // A row's KEY.json and KEY.npy; returns its manifest `output` field "shard-000003.tar/KEY.npy".
  std::string add_row(const SourceList& list, std::size_t clip, std::size_t segment, bool segmented,
                      const ExtractRow& row, DType dtype, std::size_t n_mels);
  // Writes the end-of-archive blocks and renames; returns the shard's bytes and SHA-256.
  std::pair<std::uintmax_t, std::string> commit();

 private:
  void add_member(const std::string& name, const void* data, std::size_t bytes);
  void put(const void* data, std::size_t bytes);

  std::string file_;
  AtomicFile out_;
  Sha256 sha_;
  std::uintmax_t bytes_ = 0;
};

// A shard's line in the journal / entry in shards.json.
std::string shard_journal_line(const ShardSummary& s);
std::optional<ShardSummary> parse_shard_journal_line(const std::string& line);

// Where each member's data lies in a tar held in memory: name -> (offset, size).
// Throws Error(kInvalidData) naming `path` when the archive is damaged.
std::map<std::string, std::pair<std::size_t, std::size_t>> tar_members(const char* data, std::size_t size,
                                                                       const std::filesystem::path& path);

}  // namespace melnorm::detail
