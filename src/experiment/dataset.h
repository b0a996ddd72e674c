// The experiment's data: every listed clip decoded and cut as the features
// are (melnorm::cut_clip: pad_to or segment), labelled, and split into
// train, validation and test rows.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "melnorm/experiment.h"

namespace melnorm::detail {

enum class Part { kTrain, kVal, kTest };

struct Row {
  std::size_t source = 0;  // index into the source list (tracks)
  std::size_t group = 0;   // rows of one group stay on one side of the validation split
  int label = 0;
  Part part = Part::kTrain;
  std::vector<float> samples;
};

struct Dataset {
  std::vector<std::string> classes;
  std::vector<Row> rows;
  int sample_rate = 0;
  bool has_val_split = false;            // the split column had val rows
  std::vector<std::string> group_names;  // by group index: the group column's values, or the sources
  std::string sha256;  // of every clip's "name,label,part" line: the data a saved model was trained on
  std::string split;   // how the test rows were chosen, in words
};

// Lists, labels, splits and decodes the data. Throws Error naming the file or column.
Dataset load_dataset(const ExperimentOptions& o);

// Row indices into Dataset::rows by part.
struct RowSplit {
  std::vector<std::size_t> train, fixed_val, test;  // fixed_val: the split column's val rows
};

// Throws Error when there are fewer than 2 classes, or no train or test rows;
// warns when a group has rows on both sides of the split's own validation.
RowSplit split_rows(const ExperimentOptions& o, const Dataset& d);

// Which validation picked the best epoch, in words (results.md, model.json).
std::string validation_text(const ExperimentOptions& o, const Dataset& d);

}  // namespace melnorm::detail
