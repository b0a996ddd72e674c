// Bulk dataset extraction: a folder or list of labelled clips -> normalized
// mel spectrograms, in parallel, resumable, and byte-identical whatever the
// number of jobs or interruptions.
//
// OUTDIR holds:
//   options.json   every option that shapes the output (a re-run must match)
//   manifest.csv   one row per output row, in input order, appended and flushed
//                  as rows complete: source, label, extra columns, offset,
//                  output, n_frames, status, error
//   *.npy          one per row mirroring the input tree (format npy), or
//   features.npy   [N, F, T] for fixed-size rows (format packed, mmap-able), or
//   shard-*.tar    WebDataset tar shards of shard_size clips, shards.json their index (format shards)
//   stats.json     with fit_stats: statistics of the training rows
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "melnorm/mel_spectrogram.h"
#include "melnorm/normalize.h"
#include "melnorm/npy.h"
#include "melnorm/pipeline.h"
#include "melnorm/stats.h"

namespace melnorm {

enum class FitOn { kTrain, kAll };

struct ExtractOptions {
  std::filesystem::path input;  // folder (recursive) or a .txt/.csv list of paths
  std::filesystem::path out_dir;
  std::optional<std::filesystem::path> labels;  // CSV: path,label[,more columns]
  std::string path_column = "path";             // the labels CSV's columns holding the path and the label
  std::string label_column = "label";
  std::string split_column = "split";          // train/test (val) per row: statistics are fitted on train rows
  PipelineOptions features;                    // the features; a shared rate is found in the clips
  std::optional<std::filesystem::path> stats;  // global statistics to apply
  bool fit_stats = false;                      // fit global statistics on the train rows first
  FitOn fit_on = FitOn::kTrain;                // kAll: on every row (no split column needed)
  std::string format = "npy";                  // an output format: npy (one file per row), packed (one features.npy)
  std::size_t shard_size = 1000;               // format shards: clips per shard
  int jobs = 0;                                // worker threads; 0 = all cores
  bool strict = false;                         // a clip with a warning (a truncated file) is a failed row

  void validate() const;
};

// The extraction's own options (not features): one row each, with the same
// fields as the feature schema. CLI flags and Python keywords come from
// extract_schema() and pipeline_schema() together.
const std::vector<OptionSpec>& extract_schema();
// Feature options and extraction options by name -> ExtractOptions (validated).
ExtractOptions resolve_extract_options(const OptionValues& given);
// The inverse, for sending a plan to another process.
OptionValues extract_option_values(const ExtractOptions& options);

struct ExtractProgress {
  std::size_t sources_done = 0, sources_total = 0;
  std::size_t rows_failed = 0;
  double audio_seconds = 0.0;  // decoded audio so far (this run)
  std::string phase;           // "fit-stats" or "extract"
};

struct ExtractSummary {
  std::size_t sources = 0;     // clips listed
  std::size_t rows = 0;        // rows in the manifest
  std::size_t failed = 0;      // rows with status failed
  std::size_t resumed = 0;     // sources already done by an earlier run
  std::size_t rewritten = 0;   // format shards: shards of an earlier run found missing or damaged, written again
  double audio_seconds = 0.0;  // decoded in this run
  double seconds = 0.0;        // wall time of this run
};

// Runs (or resumes) an extraction. Throws Error for invalid options, an
// OUTDIR made with other options, or an unreadable input list; a clip that
// cannot be used becomes a failed row instead. `progress` is called from the
// calling thread after each completed clip.
ExtractSummary extract_dataset(const ExtractOptions& options,
                               const std::function<void(const ExtractProgress&)>& progress = {});

// ---- The three parts of extract_dataset, for running its work elsewhere ----
// (melnorm.dask drives them on a cluster: a plan and workers on every
// machine, one writer where OUTDIR is written.)

// One output row as a worker computes it: normalized, not yet written.
struct ExtractRow {
  double offset = 0.0;             // seconds into the source clip
  Matrix features;                 // [n_mels, frames] (format npy); empty when failed
  std::vector<std::byte> encoded;  // the row's bytes in the output dtype (format packed)
  std::size_t n_frames = 0;
  std::string error;  // empty when the row is ok
  bool ok() const { return error.empty(); }
};

// One shard of format shards as written (by the CLI's writer or a cluster
// worker): what the client records, never the features themselves.
struct ShardSummary {
  std::size_t shard = 0;       // shard-NNNNNN.tar
  std::size_t first_clip = 0;  // its clips: [first_clip, first_clip + clips)
  std::size_t clips = 0;
  std::size_t rows = 0, ok_rows = 0, failed = 0;  // manifest rows; ok_rows are in the tar
  std::uintmax_t bytes = 0;                       // the tar's size
  std::string sha256;                             // of the tar
  std::string manifest;                           // its manifest.csv lines, in clip order
  double audio_seconds = 0.0;                     // decoded
};

// Everything one clip produces.
struct ExtractResult {
  std::vector<ExtractRow> rows;
  double audio_seconds = 0.0;  // decoded audio
  // No rows yet: a long recording whose segments are computed and written one
  // by one as they are decoded (ExtractWorker::streams, ExtractWriter::write_streamed).
  bool streamed = false;
};

// The read-only part: options checked, clips listed with their labels.
// Deterministic, so every worker of a cluster can build its own copy.
class ExtractPlan {
 public:
  explicit ExtractPlan(const ExtractOptions& options);  // throws Error for bad options or input
  ~ExtractPlan();
  ExtractPlan(const ExtractPlan&);
  ExtractPlan& operator=(const ExtractPlan&);

  const ExtractOptions& options() const;  // with jobs and the shared sample rate resolved
  const Pipeline& pipeline() const;       // the features (without statistics)
  std::size_t size() const;               // clips listed
  const std::string& source_name(std::size_t i) const;
  // The statistics fit in work units: the train clips in fixed chunks of
  // kFitChunk, so the merged statistics are the same bits whoever computes them.
  static constexpr std::size_t kFitChunk = 64;
  std::vector<std::vector<std::size_t>> fit_chunks() const;
  Fingerprint fingerprint() const;  // of the features before normalization, for the statistics
  // Format shards: shard k holds clips [k * shard_size, (k + 1) * shard_size); 0 for other formats.
  std::size_t shard_count() const;

 private:
  friend class ExtractWorker;  // they read the listed clips
  friend class ExtractWriter;
  struct Impl;
  const Impl& impl() const { return *impl_; }
  std::shared_ptr<const Impl> impl_;
};

// Computes clips of a plan. Holds spectrogram engines: one per thread.
class ExtractWorker {
 public:
  // `stats`: the global statistics to normalize with (when the method's scope is global).
  ExtractWorker(const ExtractPlan& plan, const Stats* stats);
  ~ExtractWorker();
  // A clip's rows; an unusable clip gives one failed row with the reason.
  ExtractResult process(std::size_t source);
  // Whether clip `source` is better computed row by row (ExtractWriter::write_streamed): a recording cut into
  // segments whose header promises more samples than a clip loaded whole (not under strict, not for shards).
  bool streams(std::size_t source) const;
  // Clip `source`'s rows handed to `on_row` as each is computed (a long recording's segments as they are
  // decoded): the rows of process(), one at a time. An error after some rows ends them with one failed row
  // giving the reason (the rows before it are kept). Returns the seconds of audio decoded.
  double process_rows(std::size_t source, const std::function<void(ExtractRow&&)>& on_row);
  // Statistics of the clips' unnormalized features (a chunk of fit_chunks()).
  Stats fit(std::span<const std::size_t> sources);
  // Format shards: computes shard k's clips and writes OUTDIR/shard-NNNNNN.tar
  // itself (whole, by rename; OUTDIR must be reachable here), returning what
  // the writer records. The same bytes wherever it runs.
  ShardSummary write_shard(std::size_t shard);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Merges partial statistics pairwise, level by level ((0,1), (2,3), ...):
// a fixed order, so the result does not depend on where the parts were made.
Stats merge_tree(std::vector<Stats> parts);

// The writing part: owns OUTDIR (locked: one writer at a time). Writes
// options.json, or checks it and finds where an earlier run stopped; appends
// results in clip order.
class ExtractWriter {
 public:
  explicit ExtractWriter(
      const ExtractPlan& plan);  // throws Error: OUTDIR made with other options or held by another writer, bad --stats
  ~ExtractWriter();
  std::size_t next_source() const;     // the clip write() expects next (the resume point at first)
  std::size_t resumed() const;         // clips an earlier run completed
  bool needs_fit() const;              // fit_stats and no stats.json yet: call set_fitted_stats first
  void set_fitted_stats(Stats stats);  // saves OUTDIR/stats.json
  const Stats* stats() const;          // global statistics to normalize with, if any
  void write(std::size_t source, ExtractResult&& result);
  // Clip `source` computed here by `worker` row by row, each row written as it comes (memory: one row, not
  // the clip's): for a result with `streamed` set.
  void write_streamed(std::size_t source, ExtractWorker& worker);
  std::size_t failed_rows() const;  // written so far
  double audio_seconds() const;
  // Format shards, written elsewhere (ExtractWorker::write_shard): records the
  // next shard (the one holding next_source()).
  void write_shard(ShardSummary&& shard);
  // Format shards, on a resume: earlier shards whose file is missing or whose
  // bytes no longer match the index (size, SHA-256). Rewrite each with
  // ExtractWorker::write_shard and record it with rewrote_shard().
  std::vector<std::size_t> shards_to_redo() const;
  void rewrote_shard(const ShardSummary& shard);
  ExtractSummary finish();  // publishes features.npy (packed), releases OUTDIR; counts

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// ---- Reading a finished OUTDIR ----

// A row's features where the output keeps them (packed: a read-only mapping of
// features.npy), in the stored dtype, row-major [n_mels, frames]. Valid while
// `owner` is held, even after the reader that made it is gone.
struct FeaturesView {
  const void* data = nullptr;
  DType dtype = DType::kFloat32;
  std::size_t n_mels = 0, frames = 0;
  std::shared_ptr<const void> owner;
};

// The one reader of the layout extract writes (options.json's
// format_version, manifest.csv, the output format's files): what the Python
// bindings and melnorm.torch use instead of their own copy of the layout.
class OutdirReader {
 public:
  static constexpr int kFormatVersion = 2;  // of options.json: the version written and read
  // Throws Error: no manifest or options (not an OUTDIR), another
  // format_version, an unfinished extraction (packed: no features.npy yet).
  explicit OutdirReader(const std::filesystem::path& out_dir);
  ~OutdirReader();
  OutdirReader(OutdirReader&&) noexcept;
  OutdirReader& operator=(OutdirReader&&) noexcept;

  const std::filesystem::path& out_dir() const;
  const std::string& format() const;        // the output format: "npy", "packed"
  const std::string& options_json() const;  // options.json as written
  // The pipeline the rows were made with (options.json's record, read and
  // checked as Pipeline::options_from_json reads a saved pipeline).
  PipelineOptions pipeline_options() const;
  // The statistics the rows were normalized with: OUTDIR/stats.json (fitted
  // by the run), else the file options.json names; none without.
  std::optional<std::filesystem::path> stats_path() const;
  const std::vector<std::string>& columns() const;           // manifest.csv's header
  std::size_t size() const;                                  // manifest rows, ok and failed, in input order
  const std::vector<std::string>& row(std::size_t i) const;  // row i's fields, in columns() order
  bool ok(std::size_t i) const;                              // status ok: it has features
  // Row i's features [n_mels, frames] as float32; throws Error for a failed row.
  Matrix features(std::size_t i) const;
  // Row i in place, without a copy, when its format maps its rows (packed);
  // nullopt when it does not (npy: use features()). Throws as features().
  std::optional<FeaturesView> features_view(std::size_t i) const;

 private:
  const std::vector<std::string>& ok_row(std::size_t i) const;  // throws Error for a failed row

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace melnorm
