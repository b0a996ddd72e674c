// Output formats of `extract`: how rows are written into OUTDIR and read back.
// A format is one source file src/dataset/formats/<name>_output.cc defining an
// OutputFormat, plus its line in output_formats() (src/dataset/output_formats.cc);
// the folder is globbed by CMake.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "melnorm/extract.h"
#include "melnorm/npy.h"

namespace melnorm::detail {

struct SourceList;

// What a sink needs to know about the extraction.
struct SinkContext {
  std::filesystem::path out_dir, tmp_dir;  // tmp_dir: temporaries (emptied at start-up)
  DType dtype = DType::kFloat32;
  std::size_t n_mels = 0;
  bool segmented = false;               // rows are segments of their clip
  std::filesystem::path manifest;       // OUTDIR/manifest.csv
  const SourceList* sources = nullptr;  // the clips, in order (their labels and columns)
  std::size_t shard_size = 0;           // format shards: clips per shard
};

// Where an interrupted run stopped (from the journal); all zero for a new OUTDIR.
struct SinkResume {
  std::size_t next_source = 0;
  std::size_t ok_rows = 0;
  std::uintmax_t bytes = 0;  // what journal_bytes() said at that point
};

// The writing side, owned by the ExtractWriter (one thread).
class OutputSink {
 public:
  virtual ~OutputSink() = default;
  // Writes an ok row; returns its manifest `output` field, or sets row.error
  // (and returns "") when the row cannot go into this output.
  virtual std::string write_row(const std::string& source_name, std::size_t segment, std::size_t ok_rows_before,
                                ExtractRow& row) = 0;
  // After the rows of one source (`failed` of them failed): appends what write_row buffered.
  virtual void end_source(std::size_t failed) { (void)failed; }
  // Whether everything written so far is on disk for good, so that a resume may
  // start after it (the journal records only such points).
  virtual bool durable() const { return true; }
  // Bytes the journal records for this sink (0: nothing appended).
  virtual std::uintmax_t journal_bytes() const { return 0; }
  // Publishes the output once every source is written.
  virtual void finish(std::size_t ok_rows) { (void)ok_rows; }
  // Formats whose parts are written elsewhere (shards): a part written by a
  // worker, recorded; the parts an earlier run wrote that must be redone; one redone.
  virtual void adopt(const ShardSummary& part);
  virtual std::vector<std::size_t> redo() const { return {}; }
  virtual void rewrote(const ShardSummary& part);
};

// The reading side: a finished OUTDIR's rows by their manifest `output` field.
class OutputReader {
 public:
  virtual ~OutputReader() = default;
  virtual Matrix row(const std::string& output, std::size_t n_frames) const = 0;
  // The row in place when the format maps its file; nullopt: only row() reads it.
  virtual std::optional<FeaturesView> view(const std::string& /*output*/, std::size_t /*n_frames*/) const {
    return std::nullopt;
  }
};

// Everything about one format.
struct OutputFormat {
  std::string name;                  // the format option's value
  std::string help;                  // for --help
  bool same_shape_rows = false;      // every row [F, T] alike: needs pad_to or segment
  bool encoded_rows = false;         // workers send rows as bytes in the output dtype
  std::vector<std::string> written;  // OUTDIR files it writes, besides manifest.csv, options.json, ...
  // A new sink, or one resuming at `resume`.
  std::unique_ptr<OutputSink> (*open)(const SinkContext& context, const SinkResume& resume) = nullptr;
  // The file the journal's byte count is about, if it is still to be checked on resume ("" otherwise).
  std::filesystem::path (*resume_file)(const std::filesystem::path& out_dir) = nullptr;
  // A reader of a finished OUTDIR with `ok_rows` rows of [n_mels, frames] (frames of the first ok row).
  std::unique_ptr<OutputReader> (*read)(const std::filesystem::path& out_dir, DType dtype, std::size_t ok_rows,
                                        std::size_t n_mels, std::size_t frames) = nullptr;
};

// The registered formats, the default ("npy") first.
const std::vector<const OutputFormat*>& output_formats();
// Throws Error naming the allowed formats.
const OutputFormat& output_format(const std::string& name);

// The relative .npy path of a source's row: the source's path without its
// extension (kept inside OUTDIR), with _sNNNN for segments.
std::string row_file(const std::string& source_name, std::size_t segment, bool segmented);

}  // namespace melnorm::detail
