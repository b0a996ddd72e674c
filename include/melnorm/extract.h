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
//   features.npy   [N, F, T] for fixed-size rows (format packed, mmap-able)
//   stats.json     with fit_stats: statistics of the training rows
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "melnorm/mel_spectrogram.h"
#include "melnorm/normalize.h"
#include "melnorm/npy.h"

namespace melnorm {

enum class OutputFormat { kNpy, kPacked };

struct ExtractOptions {
  std::filesystem::path input;          // folder (recursive) or a .txt/.csv list of paths
  std::filesystem::path out_dir;
  std::optional<std::filesystem::path> labels;  // CSV: path,label[,more columns]
  MelSpectrogramOptions mel;            // sample_rate is replaced by each clip's own unless
  std::optional<int> sample_rate;       // this is set: then clips are resampled to it (Hz)
  std::optional<NormalizeOptions> normalize;
  std::optional<std::filesystem::path> stats;  // global statistics to apply
  bool fit_stats = false;               // fit global statistics on the train rows first
  std::optional<double> segment;        // seconds per segment (each segment one row)
  std::optional<double> segment_hop;    // seconds between segment starts (default: segment)
  std::optional<double> pad_to;         // pad or crop every clip to this many seconds
  OutputFormat format = OutputFormat::kNpy;
  DType dtype = DType::kFloat32;        // float32 or float16
  int jobs = 0;                         // worker threads; 0 = all cores

  void validate() const;
};

struct ExtractProgress {
  std::size_t sources_done = 0, sources_total = 0;
  std::size_t rows_done = 0, rows_failed = 0;
  double audio_seconds = 0.0;           // decoded audio so far (this run)
  std::string phase;                    // "fit-stats" or "extract"
};

struct ExtractSummary {
  std::size_t sources = 0;              // clips listed
  std::size_t rows = 0;                 // rows in the manifest
  std::size_t failed = 0;               // rows with status failed
  std::size_t resumed = 0;              // sources already done by an earlier run
  double audio_seconds = 0.0;           // decoded in this run
  double seconds = 0.0;                 // wall time of this run
};

// Runs (or resumes) an extraction. Throws Error for invalid options, an
// OUTDIR made with other options, or an unreadable input list; a clip that
// cannot be used becomes a failed row instead. `progress` is called from the
// calling thread after each completed clip.
ExtractSummary extract_dataset(const ExtractOptions& options,
                               const std::function<void(const ExtractProgress&)>& progress = {});

}  // namespace melnorm
