// The experiment's data: every listed clip decoded and cut as the features
// are (melnorm::cut_clip: pad_to or segment), labelled, and split into
// train, validation and test rows.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "dataset/sources.h"
#include "melnorm/experiment.h"
#include "melnorm/matrix.h"

namespace melnorm::detail {

enum class Part { kTrain, kVal, kTest };

struct Row {
  std::size_t source = 0;  // index into the source list (tracks)
  std::size_t group = 0;   // rows of one group stay on one side of the validation split
  int label = 0;
  Part part = Part::kTrain;
  std::vector<float> samples;
  Matrix features;  // an OUTDIR's row: its features [bins, frames] (no samples)
};

struct Dataset {
  std::vector<std::string> classes;
  std::vector<Row> rows;
  int sample_rate = 0;
  bool has_val_split = false;            // the split column had val rows
  std::vector<std::string> group_names;  // by group index: the group column's values, or the sources
  std::string sha256;      // of every clip's "name,label,part" line: the data a saved model was trained on
  std::string split;       // how the test rows were chosen, in words
  bool extracted = false;  // the rows are an OUTDIR's features (Row::features), not audio
};

// Lists, labels, splits and decodes the data (or reads an OUTDIR's rows).
// Throws Error naming the file or column.
Dataset load_dataset(const ExperimentOptions& o);

// Each source's part (held out by a column's value, the split column's, or a
// stratified 80/20) and group; sets d.split, d.has_val_split, d.group_names.
std::vector<Part> assign_parts(const ExperimentOptions& o, const SourceList& list, Dataset& d);
std::vector<std::size_t> assign_groups(const ExperimentOptions& o, const SourceList& list, Dataset& d);
// d.classes (sorted labels) and d.sha256 of every source's "name,label,part" line.
void set_classes(const SourceList& list, const std::vector<Part>& parts, Dataset& d);
int class_index(const Dataset& d, const std::string& label);

// ---- an OUTDIR of melnorm extract as the data (experiment/outdir_data.cc) ----

// A folder with options.json and manifest.csv.
bool is_outdir(const std::filesystem::path& data);
// o.features becomes the OUTDIR's pipeline (unnormalized, fixed-size);
// refuses by name what would need the audio (perturbed test conditions,
// training perturbations) or other features (feature options, dB variants,
// methods on the linear magnitude, a normalized OUTDIR).
void adopt_outdir_features(ExperimentOptions& o);
Dataset load_outdir_dataset(const ExperimentOptions& o);

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
