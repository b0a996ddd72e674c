// The only translation unit that includes libtorch (slow to compile).
#include "experiment/classifier.h"

#include <torch/script.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <sstream>
#include <stdexcept>

#include "melnorm/error.h"

namespace melnorm::detail {

namespace {

namespace nn = torch::nn;

// BatchNorm over one axis of [B, C, F, T]: the chosen axis is moved to the
// channel position, normalized by BatchNorm2d, and moved back.
struct AxisBatchNormImpl : nn::Module {
  AxisBatchNormImpl(BnAxis axis, std::int64_t channels, std::int64_t freq, std::int64_t time) : axis_(axis) {
    const std::int64_t features = axis == BnAxis::kChannel ? channels : axis == BnAxis::kFreq ? freq : time;
    if (axis != BnAxis::kNone) bn_ = register_module("bn", nn::BatchNorm2d(features));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    switch (axis_) {
      case BnAxis::kChannel: return bn_->forward(x);
      case BnAxis::kFreq: return bn_->forward(x.transpose(1, 2)).transpose(1, 2);
      case BnAxis::kTime: return bn_->forward(x.transpose(1, 3)).transpose(1, 3);
      case BnAxis::kNone: return x;
    }
    return x;
  }
  BnAxis axis_;
  nn::BatchNorm2d bn_{nullptr};
};
TORCH_MODULE(AxisBatchNorm);

struct NetImpl : nn::Module {
  NetImpl(const ModelOptions& o, std::int64_t F, std::int64_t T, int n_classes) {
    std::int64_t in = 1, ch = o.channels;
    for (int b = 0; b < o.blocks; ++b) {
      const bool bias = o.bn_axis == BnAxis::kNone;
      convs.push_back(
          register_module("conv" + std::to_string(b), nn::Conv2d(nn::Conv2dOptions(in, ch, 3).padding(1).bias(bias))));
      norms.push_back(register_module("bn" + std::to_string(b), AxisBatchNorm(o.bn_axis, ch, F, T)));
      pools.push_back(F >= 2 && T >= 2);
      if (pools.back()) F /= 2, T /= 2;
      in = ch;
      ch = std::min<std::int64_t>(ch * 2, o.max_channels);
    }
    fc = register_module("fc", nn::Linear(in, n_classes));
  }
  torch::Tensor forward(torch::Tensor x) {
    for (std::size_t b = 0; b < convs.size(); ++b) {
      x = torch::relu(norms[b]->forward(convs[b]->forward(x)));
      if (pools[b]) x = torch::max_pool2d(x, 2);
    }
    return fc->forward(x.mean({2, 3}));
  }
  std::vector<nn::Conv2d> convs;
  std::vector<AxisBatchNorm> norms;
  std::vector<bool> pools;
  nn::Linear fc{nullptr};
};
TORCH_MODULE(Net);

torch::Tensor batch_of(const FeatureSet& s, const std::vector<std::size_t>& idx, std::size_t begin, std::size_t end) {
  const std::size_t per = s.F * s.T;
  auto t = torch::empty(
      {static_cast<std::int64_t>(end - begin), 1, static_cast<std::int64_t>(s.F), static_cast<std::int64_t>(s.T)});
  float* dst = t.data_ptr<float>();
  for (std::size_t k = begin; k < end; ++k) std::copy_n(s.x.data() + idx[k] * per, per, dst + (k - begin) * per);
  return t;
}

class TorchClassifier : public Classifier {
 public:
  TorchClassifier(Net net, ModelOptions model, std::size_t F, std::size_t T, int n_classes, int best_epoch)
      : net_(std::move(net)), model_(model), F_(F), T_(T), n_classes_(n_classes), best_epoch_(best_epoch) {}

  std::vector<float> logits(const float* x, std::size_t n) const override {
    torch::NoGradGuard no_grad;
    net_->eval();
    std::vector<float> out(n * static_cast<std::size_t>(n_classes_));
    constexpr std::size_t kBatch = 256;
    for (std::size_t b = 0; b < n; b += kBatch) {
      const std::size_t m = std::min(kBatch, n - b);
      auto input = torch::from_blob(
          const_cast<float*>(x + b * F_ * T_),
          {static_cast<std::int64_t>(m), 1, static_cast<std::int64_t>(F_), static_cast<std::int64_t>(T_)});
      auto y = net_->forward(input).contiguous();
      std::copy_n(y.data_ptr<float>(), m * static_cast<std::size_t>(n_classes_), out.data() + b * n_classes_);
    }
    return out;
  }
  int n_classes() const override { return n_classes_; }
  int best_epoch() const override { return best_epoch_; }
  void save(const std::filesystem::path& file) const override;

 private:
  mutable Net net_;
  ModelOptions model_;
  std::size_t F_, T_;
  int n_classes_, best_epoch_;
};

// The network as TorchScript source over its own tensors: the same aten
// calls, in the same order, as NetImpl::forward in eval mode (conv2d,
// batch_norm with the running statistics, relu, max_pool2d, mean, linear),
// so the scripted logits are the trained network's.
std::string script_source(const ModelOptions& model, const std::vector<bool>& pools) {
  std::ostringstream s;
  s << "def forward(self, x):\n    if x.dim() == 3:\n        x = x.unsqueeze(1)\n";
  for (std::size_t b = 0; b < pools.size(); ++b) {
    const std::string conv = "self.conv" + std::to_string(b) + "_", bn = "self.bn" + std::to_string(b) + "_bn_";
    s << "    x = torch.conv2d(x, " << conv << "weight, " << (model.bn_axis == BnAxis::kNone ? conv + "bias" : "None")
      << ", [1, 1], [1, 1], [1, 1], 1)\n";
    if (model.bn_axis != BnAxis::kNone) {
      const std::string swap = model.bn_axis == BnAxis::kFreq ? "1, 2" : model.bn_axis == BnAxis::kTime ? "1, 3" : "";
      const std::string in = swap.empty() ? "x" : "x.transpose(" + swap + ")";
      s << "    x = torch.batch_norm(" << in << ", " << bn << "weight, " << bn << "bias, " << bn << "running_mean, "
        << bn << "running_var, False, 0.1, 1e-05, False)" << (swap.empty() ? "" : ".transpose(" + swap + ")") << "\n";
    }
    s << "    x = torch.relu(x)\n";
    if (pools[b]) s << "    x = torch.max_pool2d(x, [2, 2])\n";
  }
  s << "    return torch.linear(x.mean([2, 3]), self.fc_weight, self.fc_bias)\n";
  return s.str();
}

// Module attribute names: "bn0.bn.running_mean" -> "bn0_bn_running_mean".
std::string attribute_name(std::string name) {
  std::replace(name.begin(), name.end(), '.', '_');
  return name;
}

// Inference on a TorchScript network (a saved model).
class ScriptClassifier : public Classifier {
 public:
  ScriptClassifier(torch::jit::Module module, std::size_t F, std::size_t T, int n_classes)
      : module_(std::move(module)), F_(F), T_(T), n_classes_(n_classes) {
    module_.eval();
  }
  std::vector<float> logits(const float* x, std::size_t n) const override {
    torch::NoGradGuard no_grad;
    std::vector<float> out(n * static_cast<std::size_t>(n_classes_));
    constexpr std::size_t kBatch = 256;  // as TorchClassifier: the same batches give the same numbers
    for (std::size_t b = 0; b < n; b += kBatch) {
      const std::size_t m = std::min(kBatch, n - b);
      auto input = torch::from_blob(
          const_cast<float*>(x + b * F_ * T_),
          {static_cast<std::int64_t>(m), 1, static_cast<std::int64_t>(F_), static_cast<std::int64_t>(T_)});
      auto y = module_.forward({input}).toTensor().contiguous();
      if (y.dim() != 2 || y.size(0) != static_cast<std::int64_t>(m) || y.size(1) != n_classes_)
        throw Error(ErrorCode::kInvalidData, "model",
                    "the network's output is not [" + std::to_string(m) + ", " + std::to_string(n_classes_) + "]");
      std::copy_n(y.data_ptr<float>(), m * static_cast<std::size_t>(n_classes_), out.data() + b * n_classes_);
    }
    return out;
  }
  int n_classes() const override { return n_classes_; }
  int best_epoch() const override { return 0; }
  void save(const std::filesystem::path& file) const override { module_.save(file.string()); }

 private:
  mutable torch::jit::Module module_;  // forward() is not const
  std::size_t F_, T_;
  int n_classes_;
};

double accuracy_of(const Classifier& c, const FeatureSet& s) {
  const auto z = c.logits(s.x.data(), s.size());
  std::size_t right = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const float* row = z.data() + i * static_cast<std::size_t>(c.n_classes());
    right += (std::max_element(row, row + c.n_classes()) - row) == s.y[i];
  }
  return s.size() ? static_cast<double>(right) / static_cast<double>(s.size()) : 0.0;
}

}  // namespace

void TorchClassifier::save(const std::filesystem::path& file) const {
  torch::NoGradGuard no_grad;
  torch::jit::Module m("melnorm_cnn");
  for (const auto& p : net_->named_parameters())
    m.register_parameter(attribute_name(p.key()), p.value().detach().clone(), false);
  for (const auto& b : net_->named_buffers())
    if (b.key().find("num_batches_tracked") == std::string::npos)
      m.register_buffer(attribute_name(b.key()), b.value().detach().clone());
  m.define(script_source(model_, net_->pools));
  m.eval();
  try {
    m.save(file.string());
  } catch (const c10::Error& e) {
    throw Error(ErrorCode::kIo, "save_model",
                file.string() + ": cannot write the network: " + e.what_without_backtrace());
  }
}

std::unique_ptr<Classifier> load_classifier(const std::filesystem::path& file, std::size_t F, std::size_t T,
                                            int n_classes) {
  torch::jit::Module m;
  try {
    m = torch::jit::load(file.string());
  } catch (const c10::Error& e) {
    std::string why = e.what_without_backtrace();
    why = why.substr(0, why.find('\n'));
    throw Error(ErrorCode::kInvalidData, "model", file.string() + ": not a readable TorchScript network (" + why + ")");
  }
  auto c = std::make_unique<ScriptClassifier>(std::move(m), F, T, n_classes);
  std::vector<float> probe(F * T, 0.0f);
  try {
    c->logits(probe.data(), 1);  // the network takes [1, 1, F, T] and gives n_classes logits
  } catch (const Error& e) {
    throw Error(ErrorCode::kInvalidData, "model", file.string() + ": " + e.what());
  } catch (const c10::Error& e) {
    throw Error(ErrorCode::kInvalidData, "model",
                file.string() + ": does not run on [1, 1, " + std::to_string(F) + ", " + std::to_string(T) + "] input");
  }
  return c;
}

void set_torch_threads(int threads) {
  at::set_num_threads(threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
}

std::unique_ptr<Classifier> train_classifier(const ModelOptions& model, const TrainOptions& o, int seed,
                                             const FeatureSet& train, const FeatureSet& val, int n_classes,
                                             const std::function<void(const EpochReport&)>& on_epoch,
                                             const std::function<const FeatureSet&(int epoch)>& epoch_train) {
  model.validate();
  o.validate();
  if (train.size() == 0) throw Error(ErrorCode::kInvalidData, "data", "no training rows");
  if (n_classes < 2)
    throw Error(ErrorCode::kInvalidData, "labels",
                "a classifier needs at least 2 classes, got " + std::to_string(n_classes));
  const int threads = o.threads > 0 ? o.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  at::set_num_threads(threads);  // Debian's libtorch starts with one
  torch::manual_seed(static_cast<std::uint64_t>(seed));
  const auto t0 = std::chrono::steady_clock::now();

  Net net(model, static_cast<std::int64_t>(train.F), static_cast<std::int64_t>(train.T), n_classes);
  torch::optim::Adam optimizer(net->parameters(), torch::optim::AdamOptions(o.learning_rate));
  auto labels =
      torch::from_blob(const_cast<int*>(train.y.data()), {static_cast<std::int64_t>(train.size())}, torch::kInt32)
          .to(torch::kLong);
  std::vector<std::size_t> order(train.size());
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(static_cast<std::uint64_t>(seed));

  // The best epoch's weights, copied out (parameters and BatchNorm buffers).
  std::vector<torch::Tensor> best;
  double best_val = -1.0;
  int best_epoch = o.epochs;
  auto snapshot = [&] {
    best.clear();
    for (const auto& p : net->parameters()) best.push_back(p.detach().clone());
    for (const auto& b : net->buffers()) best.push_back(b.detach().clone());
  };
  for (int epoch = 1; epoch <= o.epochs; ++epoch) {
    net->train();
    const FeatureSet& rows = epoch_train ? epoch_train(epoch) : train;  // this epoch's perturbed clips
    if (rows.size() != train.size() || rows.F != train.F || rows.T != train.T)
      throw std::logic_error("an epoch's training rows differ in number or shape from the first epoch's");
    std::shuffle(order.begin(), order.end(), rng);
    double loss_sum = 0.0;
    std::size_t batches = 0;
    for (std::size_t b = 0; b < order.size(); b += static_cast<std::size_t>(o.batch_size)) {
      const std::size_t e = std::min(order.size(), b + static_cast<std::size_t>(o.batch_size));
      if (e - b < 2 && model.bn_axis != BnAxis::kNone) continue;  // BatchNorm needs two rows
      auto x = batch_of(rows, order, b, e);
      std::vector<std::int64_t> idx(order.begin() + static_cast<std::ptrdiff_t>(b),
                                    order.begin() + static_cast<std::ptrdiff_t>(e));
      auto y = labels.index_select(0, torch::tensor(idx));
      optimizer.zero_grad();
      auto loss = torch::nn::functional::cross_entropy(net->forward(x), y);
      loss.backward();
      optimizer.step();
      loss_sum += loss.item<double>();
      ++batches;
    }
    EpochReport report{.epoch = epoch,
                       .train_loss = batches ? loss_sum / static_cast<double>(batches) : 0.0,
                       .val_accuracy = std::numeric_limits<double>::quiet_NaN()};
    if (val.size() > 0) {
      TorchClassifier probe(net, model, train.F, train.T, n_classes, epoch);
      report.val_accuracy = accuracy_of(probe, val);
      if (report.val_accuracy > best_val) best_val = report.val_accuracy, best_epoch = epoch, snapshot();
    }
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!std::isfinite(report.train_loss))
      throw Error(ErrorCode::kInvalidData, "learning_rate",
                  "training diverged (loss " + std::to_string(report.train_loss) + " at epoch " +
                      std::to_string(epoch) + "); lower the learning rate");
    if (on_epoch) on_epoch(report);
  }
  if (!best.empty()) {  // restore the best epoch
    torch::NoGradGuard no_grad;
    std::size_t k = 0;
    for (auto& p : net->parameters()) p.copy_(best[k++]);
    for (auto& b : net->buffers()) b.copy_(best[k++]);
  }
  return std::make_unique<TorchClassifier>(net, model, train.F, train.T, n_classes, best_epoch);
}

}  // namespace melnorm::detail
