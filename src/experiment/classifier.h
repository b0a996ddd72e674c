// The CNN of the experiments, behind an interface free of libtorch headers
// (classifier.cc is the only translation unit that includes <torch/torch.h>).
//
// N blocks of Conv2d 3x3 -> BatchNorm (over the chosen axis) -> ReLU ->
// MaxPool 2x2, then global average pooling and a linear layer. Input is a
// batch of spectrograms [n, F, T] (one channel).
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "melnorm/model.h"  // ModelOptions, TrainOptions

namespace melnorm::detail {

// Rows of fixed-size spectrograms [n, F, T] and their class indices.
struct FeatureSet {
  std::size_t F = 0, T = 0;
  std::vector<float> x;  // n * F * T
  std::vector<int> y;    // n
  std::size_t size() const { return y.size(); }
};

struct EpochReport {
  int epoch = 0;  // 1-based
  double train_loss = 0.0;
  double val_accuracy = 0.0;  // NaN without a validation set
  double seconds = 0.0;       // since training started
};

class Classifier {
 public:
  virtual ~Classifier() = default;
  // Logits [n, n_classes], row-major, for spectrograms [n, F, T].
  virtual std::vector<float> logits(const float* x, std::size_t n) const = 0;
  virtual int n_classes() const = 0;
  virtual int best_epoch() const = 0;  // the epoch whose weights were kept
  // Writes the network as TorchScript (torch.jit.load in Python runs it without
  // melnorm): forward(x) takes [n, 1, F, T] (or [n, F, T]) float32 and returns
  // the logits [n, n_classes], the same numbers as logits(). Throws Error(kIo).
  virtual void save(const std::filesystem::path& file) const = 0;
};

// Trains with Adam on `train`, keeping the weights of the epoch with the best
// accuracy on `val` (the last epoch when val is empty). Deterministic for a
// given seed and thread count. Throws Error for bad options. With
// `epoch_train`, each epoch trains on the rows it returns (augmented afresh:
// the same rows, labels and shape as `train`, which gives the first epoch's shape).
std::unique_ptr<Classifier> train_classifier(const ModelOptions& model, const TrainOptions& options, int seed,
                                             const FeatureSet& train, const FeatureSet& val, int n_classes,
                                             const std::function<void(const EpochReport&)>& on_epoch = {},
                                             const std::function<const FeatureSet&(int epoch)>& epoch_train = {});

// A network saved by Classifier::save, for inputs of F x T. Throws
// Error(kInvalidData) naming the file when it is not such a network or its
// output is not n_classes wide.
std::unique_ptr<Classifier> load_classifier(const std::filesystem::path& file, std::size_t F, std::size_t T,
                                            int n_classes);

// libtorch's intra-op threads for this process (0: all cores).
void set_torch_threads(int threads);

}  // namespace melnorm::detail
