// The CNN's options (its shape, how it is trained) and saved models.
//
// Saved models: what `melnorm train --save-model DIR` writes and `melnorm
// predict` / melnorm.load_model read. DIR is self-contained and frozen:
//   model.pt       the network as TorchScript (torch.jit.load runs it without melnorm)
//   pipeline.json  the feature Pipeline, with its fingerprint (format of Pipeline::to_json)
//   stats.json     the fitted statistics, for a global normalization only
//   classes.txt    the class names, one a line, in the network's output order
//   model.json     format version, melnorm version, input shape, the training
//                  data's fingerprint and scores, and the SHA-256 of every file above
// Needs the library built with MELNORM_BUILD_EXPERIMENT (libtorch).
#pragma once

#include <cstddef>
#include <filesystem>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "melnorm/pipeline.h"

namespace melnorm {

// What BatchNorm normalizes over, as Keras's `axis` on a (time, freq, channel) input.
enum class BnAxis {
  kChannel,  // axis=-1: one mean/variance per channel (over batch, freq, time)
  kFreq,     // axis=2: one per frequency row, shared by the channels (over batch, channel, time)
  kTime,     // axis=1: one per frame index (over batch, channel, freq); needs fixed-length input
  kNone,     // no BatchNorm (the convolutions get a bias instead)
};
BnAxis parse_bn_axis(std::string_view name);  // channel | freq | time | none
std::string to_string(BnAxis axis);

// The network: N blocks of Conv2d 3x3 -> BatchNorm -> ReLU -> MaxPool 2x2,
// global average pooling, a linear layer (src/experiment/classifier.h).
struct ModelOptions {
  int blocks = 4;         // Conv2d 3x3 -> BatchNorm -> ReLU -> MaxPool 2x2 blocks
  int channels = 16;      // channels of the first block, doubled per block ...
  int max_channels = 64;  // ... up to this
  BnAxis bn_axis = BnAxis::kChannel;
  void validate() const;
};

struct TrainOptions {
  int epochs = 20;
  int batch_size = 32;
  double learning_rate = 2e-3;  // Adam
  double val_fraction = 0.1;    // of the train rows, stratified, to pick the best epoch; 0: keep the last epoch
  int threads = 0;              // libtorch intra-op threads; 0 = all cores
  void validate() const;
};

// model.json, less the digests.
struct ModelRecord {
  static constexpr int kFormatVersion = 1;
  std::string melnorm_version;
  std::vector<std::string> classes;
  std::size_t n_mels = 0, frames = 0;  // the network's input, F x T
  std::string config;                  // "zscore:global:all bn=channel"
  int blocks = 0, channels = 0, max_channels = 0;
  std::string bn_axis;
  // The training data's fingerprint.
  std::string data, labels;   // as given to train (labels: "" without a labels CSV)
  std::string labels_sha256;  // of the labels CSV ("" without one)
  std::string data_sha256;    // of every listed clip's "name,label,part" line, in order
  std::string split;          // how test and validation rows were chosen
  int seed = 0, epochs = 0, best_epoch = 0;
  std::size_t train_rows = 0, val_rows = 0, test_rows = 0;
  std::string level = "clip";  // what test_accuracy counts: clip, or track (segments' mean logits)
  double val_accuracy = std::numeric_limits<double>::quiet_NaN();   // at best_epoch; NaN without validation rows
  double test_accuracy = std::numeric_limits<double>::quiet_NaN();  // clean test rows, as results.csv reports it
};

class SavedModel {
 public:
  // Reads and checks DIR: model.json's format version, every file's digest
  // (a truncated or edited file is refused), the pipeline record, the
  // statistics' fingerprint against the pipeline's, the network's input and
  // output. Throws Error naming the file and the problem.
  static SavedModel load(const std::filesystem::path& dir);
  ~SavedModel();
  SavedModel(SavedModel&&) noexcept;
  SavedModel& operator=(SavedModel&&) noexcept;

  const std::filesystem::path& dir() const { return dir_; }
  const Pipeline& pipeline() const { return *pipeline_; }
  const ModelRecord& record() const { return record_; }
  const std::vector<std::string>& classes() const { return record_.classes; }

  // Logits [rows.size()][n_classes] of feature rows (each n_mels x frames;
  // another shape is refused naming `what`).
  std::vector<std::vector<float>> logits(const std::vector<PipelineRow>& rows,
                                         const std::string& what = "waveform") const;

 private:
  SavedModel() = default;
  struct Net;
  std::filesystem::path dir_;
  std::unique_ptr<Pipeline> pipeline_;
  ModelRecord record_;
  std::unique_ptr<Net> net_;
};

// Softmax of one row of logits, in double then rounded.
std::vector<float> softmax(const std::vector<float>& logits);

}  // namespace melnorm
