// The experiment's features: the spectrograms of every row, once per feature
// kind (a dB variant, or a method's magnitude input), before any
// normalization: train and validation rows clean, test rows per condition.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "experiment/classifier.h"
#include "experiment/dataset.h"
#include "experiment/grid.h"
#include "melnorm/pipeline.h"

namespace melnorm::detail {

// An arm's features: the experiment's options at the clips' rate (rows are
// already cut), with its dB variant, or the method's own input (the schema's
// rule: normalize=pcen implies power 1, no dB). No normalization: the arm
// normalizes whole feature sets itself.
PipelineOptions arm_features(const ExperimentOptions& o, int rate, const Grid& grid, const Arm& arm);

struct KindFeatures {
  FeatureSet train, val_fixed;
  std::vector<FeatureSet> test;  // per condition of the grid
};

struct GridFeatures {
  std::map<std::optional<std::size_t>, KindFeatures> kinds;  // by Arm::db
  std::size_t train_click_rows = 0;  // training rows given a click (the same rows for every kind)
};

// One epoch of an augmented arm: the dataset rows `rows` perturbed by `a`
// for (seed, epoch, row), the click augmentation's rows then clicked;
// unnormalized features of `mel`, in the order of `rows`.
FeatureSet augmented_features(const Pipeline& mel, const Dataset& d, const std::vector<std::size_t>& rows,
                              const Augmentation& a, std::uint64_t seed, int epoch, double click_fraction);

GridFeatures grid_features(const ExperimentOptions& o, const Dataset& d, const RowSplit& rows, const Grid& grid);

}  // namespace melnorm::detail
