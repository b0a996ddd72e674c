// One arm of the grid (a method on a feature kind): its features normalized,
// then a run per BatchNorm axis and seed: the validation rows drawn, the
// network trained, every test condition scored, the model saved when asked.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "experiment/dataset.h"
#include "experiment/features.h"
#include "experiment/grid.h"
#include "experiment/results.h"
#include "melnorm/experiment.h"
#include "melnorm/stats.h"

namespace melnorm::detail {

// What every arm of one experiment reads.
struct ExperimentContext {
  const ExperimentOptions& options;
  const Dataset& data;
  const RowSplit& rows;
  const Grid& grid;
};

// The progress callback and its state, and the experiment's clock.
class ProgressReport {
 public:
  explicit ProgressReport(const std::function<void(const ExperimentProgress&)>& callback)
      : callback_(callback), start_(std::chrono::steady_clock::now()) {}
  double elapsed() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }
  ExperimentProgress& state() { return state_; }
  void send() const {
    if (callback_) callback_(state_);
  }

 private:
  const std::function<void(const ExperimentProgress&)>& callback_;
  std::chrono::steady_clock::time_point start_;
  ExperimentProgress state_;
};

// What the runs add to as they go.
struct ExperimentOutputs {
  Results results;
  ExperimentSummary summary;
  std::string best_saved;  // the saved run with the best validation accuracy (the first of equals)
  double best_saved_val = -1.0;
};

// Runs every BatchNorm axis and seed of `arm`, writing results.csv after each run.
void run_arm(const ExperimentContext& ctx, const Arm& arm, const KindFeatures& features, ProgressReport& progress,
             ExperimentOutputs& out);

}  // namespace melnorm::detail
