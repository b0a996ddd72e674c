// melnorm predict: classify audio files with a saved model (melnorm/model.h).
// Each file is decoded and run through the model's own Pipeline, exactly as
// its training features were made; the network gives one row of class
// probabilities per clip (or per segment, aggregated to the file's label).
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace melnorm {

struct PredictOptions {
  std::filesystem::path model;                  // a saved model folder
  std::vector<std::filesystem::path> inputs;    // audio files, folders (searched recursively), .txt/.csv lists of paths
  std::optional<std::filesystem::path> labels;  // labels CSV (path,label,...; one input folder): true_label column and accuracy
  std::string path_column = "path", label_column = "label";
  // predictions.csv, written whole at the end (atomically); empty: the CSV goes to `csv_out` of predict_files.
  std::filesystem::path output;
  int top_k = 1;                                // classes per row: label, probability, label_2, probability_2, ...
  bool logits = false;                          // also the network's logits, a logit_<class> column per class
  // Cut each file into segments of this many seconds (every segment_hop
  // seconds; default: segment) and classify each; the file's label comes
  // from its segments by `aggregate`. Each segment is then padded to the
  // model's input like a short training clip.
  std::optional<double> segment, segment_hop;
  enum class Aggregate { kMean, kVote };
  Aggregate aggregate = Aggregate::kMean;       // mean: softmax of the segments' mean logits; vote: most segments' label
  int jobs = 1;                                 // files at once (0: all cores); libtorch runs one thread per job
  void validate() const;                        // throws Error naming the option
};

PredictOptions::Aggregate parse_aggregate(const std::string& name);  // mean | vote

struct PredictSummary {
  std::size_t files = 0, failed = 0, segments = 0;
  std::size_t labelled = 0, correct = 0;  // files with a true label (labels CSV) and those predicted right
  double seconds = 0.0;
  double accuracy() const { return labelled ? static_cast<double>(correct) / static_cast<double>(labelled) : 0.0; }
};

struct PredictProgress {
  std::size_t done = 0, total = 0, failed = 0;
};

// Predicts every input and writes options.output (or, when it is empty,
// appends the CSV to *csv_out). A file that cannot be decoded or classified
// is a failed row with the reason; a model folder that fails its checks, a
// bad option or an unwritable output throws Error before anything is written.
PredictSummary predict_files(const PredictOptions& options, std::string* csv_out = nullptr,
                             const std::function<void(const PredictProgress&)>& progress = {});

}  // namespace melnorm
