// melnorm predict: classify audio files with a saved model (melnorm/model.h).
// Each file is decoded and run through the model's own Pipeline, exactly as
// its training features were made; the network gives one row of class
// probabilities per clip (or per segment, aggregated to the file's label).
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "melnorm/error.h"
#include "melnorm/pipeline.h"

namespace melnorm {

struct PredictOptions {
  std::filesystem::path model;                // a saved model folder
  std::vector<std::filesystem::path> inputs;  // audio files, folders (searched recursively), .txt/.csv lists of paths
  std::optional<std::filesystem::path>
      labels;  // labels CSV (path,label,...; one input folder): true_label column and accuracy
  std::string path_column = "path", label_column = "label";
  // predictions.csv, written whole at the end (atomically); empty: the CSV goes to `csv_out` of predict_files.
  std::filesystem::path output;
  int top_k = 1;        // classes per row: label, probability, label_2, probability_2, ...
  bool logits = false;  // also the network's logits, a logit_<class> column per class
  // A file longer than the model's input (its pad_to or target_frames) is
  // classified whole: windows of the input's length every segment_hop
  // seconds (default: half of it), the last aligned to the file's end; the
  // file's label comes from its windows by `aggregate`. `segment` asks for
  // windows of this many seconds instead (every segment_hop; default:
  // segment); one shorter than the model's input is refused unless pad_short
  // (each is then zero-padded to the input, as no training clip was).
  // no_segment refuses (as a failed row) a file longer than the input.
  std::optional<double> segment, segment_hop;
  bool no_segment = false, pad_short = false;
  enum class Aggregate { kMean, kVote };
  Aggregate aggregate = Aggregate::kMean;  // mean: softmax of the segments' mean logits; vote: most segments' label
  int jobs = 1;                            // files at once (0: all cores); libtorch runs one thread per job
  ParamRenderer render;                    // how failed rows name parameters (the CLI: flags); default keywords
  void validate() const;                   // throws Error naming the option
};

PredictOptions::Aggregate parse_aggregate(const std::string& name);  // mean | vote

struct PredictSummary {
  std::size_t files = 0, failed = 0, segments = 0;
  std::size_t windowed_files = 0;         // longer than the model's input: classified in windows (without segment)
  double window_seconds = 0.0;            // their windows' length
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

// ---- live audio ----

class SavedModel;

// One label of a stream: the last `window` seconds up to `end` seconds after
// the stream began, through the model's pipeline and network.
struct StreamLabel {
  double start = 0.0, end = 0.0;     // seconds since the stream began
  std::vector<float> probabilities;  // per class (several feature rows: softmax of their mean logits)
};

// Labels a stream of audio as it arrives: every `every` seconds, the last
// `window` seconds run through the model's own Pipeline (exactly as a file of
// those samples would: pad_to, dB reference and normalization see the whole
// window, as they saw each training clip). For a model of fixed-length clips
// (pad_to) the labels equal predict_files' segments of the same audio with
// segment = window and segment_hop = every.
// Latency: `every` at most, plus the work (a 1 s window is under a millisecond).
class StreamClassifier {
 public:
  // sample_rate: the stream's (resampled to the model's); window: default the
  // model's input (pad_to, or its segment), else 1 s; every: default window / 2.
  // A window shorter than the model's input is refused unless pad_short.
  StreamClassifier(const SavedModel& model, int sample_rate, std::optional<double> window = {},
                   std::optional<double> every = {}, bool pad_short = false);
  // Appends mono samples; returns the labels that became due (in time order).
  std::vector<StreamLabel> accept(std::span<const float> samples);
  // The end of the stream: one label over all of it when it was shorter than
  // one window. Throws Error for an empty stream.
  std::vector<StreamLabel> finish();
  double window() const { return static_cast<double>(window_) / rate_; }
  double every() const { return static_cast<double>(every_) / rate_; }

 private:
  StreamLabel label(std::size_t end_sample, std::size_t length) const;
  const SavedModel& model_;
  int rate_;
  std::size_t window_, every_;  // in samples
  std::vector<float> buffer_;   // samples from buffer_start_ on
  std::size_t buffer_start_ = 0, total_ = 0, next_end_ = 0, labels_ = 0;
};

// The top k classes of a row as CSV fields: label,probability[,label_2,probability_2...].
std::string top_fields(const std::vector<float>& probabilities, const std::vector<std::string>& classes, int k);

}  // namespace melnorm
