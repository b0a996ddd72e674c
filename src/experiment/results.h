// The experiment's results: one record per run, condition and level
// (results.csv), the clean confusion matrices summed over seeds, and the
// aggregation over seeds the report and the summary read.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "experiment/metrics.h"

namespace melnorm::detail {

struct RunRecord {
  std::string method, scope, axis, db_ref, db_floor;  // scope, axis: "" for the method none
  std::string train_augment;                          // Augmentation::name(): "none", "gain-60:0+pcm16"
  std::string bn_axis;
  int seed = 0;
  std::string config;     // arm label + " bn=" + BatchNorm axis
  std::string condition;  // Condition::name()
  std::string level;      // clip, segment or track
  Scores scores;
  int epochs = 0;      // the configured count (epochs trained)
  int best_epoch = 0;  // the epoch whose weights were kept (best validation accuracy; the last without validation)
  double train_seconds = 0.0;
};

struct Results {
  std::vector<RunRecord> records;  // in run order
  // config -> the clean test set's confusion at the first level, summed over seeds.
  std::map<std::string, std::vector<std::vector<std::size_t>>> clean_confusion;

  void add_clean_confusion(const std::string& config, const std::vector<std::vector<std::size_t>>& confusion);
  std::vector<std::string> configs() const;  // in the order they first ran
  // Accuracy (or macro-F1) of each run of `config` under `condition` at `level`, in run order.
  std::vector<double> values(const std::string& config, const std::string& condition, const std::string& level,
                             bool macro_f1) const;
  // The config with the best mean clean accuracy at `level` (the first of equals), and that mean.
  std::pair<std::string, double> best_clean(const std::string& level) const;
};

// Written whole, atomically (after every run: an interruption keeps what is done).
void write_results_csv(const std::filesystem::path& path, const std::vector<RunRecord>& records);

// Writes `text` to `path` atomically.
void write_text(const std::filesystem::path& path, const std::string& text);

}  // namespace melnorm::detail
