// melnorm experiment --data DIR [--labels CSV] [--split-column C | --holdout-column C --holdout V] [--group-column C]
//   [mel options] [--pad-to S | --segment S] --methods M[:scope[:axis]],... [--db-refs max,p99.5]
//   [--db-floors absolute,relative] --bn-axes channel,freq,time,none
//   --seeds 1,2,3 [--epochs N] [--eval-gain DB,...] [--eval-click] [--eval-noise SNR] -o RESULTS_DIR
// melnorm train: the same for one configuration (--method, --bn-axis, --seed).
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <sstream>

#include "augment_flags.h"
#include "commands.h"
#include "mel_options.h"
#include "melnorm/error.h"
#include "melnorm/experiment.h"

namespace melnorm::cli {
namespace {

struct ExperimentArgs {
  std::string data, labels, split_column, holdout_column, holdout, group_column, out_dir, path_column = "path",
                                                                                          label_column = "label";
  std::vector<std::string> methods = {"zscore"}, bn_axes = {"channel"}, db_refs, db_floors;
  std::vector<int> seeds = {1, 2, 3};
  std::string method = "zscore", bn_axis = "channel";  // melnorm train: one of each
  int seed = 1;
  std::vector<double> eval_gains;
  bool eval_click = false, quiet = false;
  std::optional<double> eval_noise;
  std::optional<int> eval_bits;
  double train_click = 0.0;
  AugmentFlags augment;  // the training perturbations, grid dimensions
  std::string save_model, save_models;
  ModelOptions model;
  TrainOptions train;
  OptionFlags mel;  // the feature options up to the dB conversion (methods are a grid dimension)
};

// "zscore:global:band" -> NormalizeOptions; "none" -> no normalization.
NormalizeOptions parse_method_spec(const std::string& spec) {
  std::vector<std::string> parts;
  std::stringstream in(spec);
  for (std::string p; std::getline(in, p, ':');) parts.push_back(p);
  if (parts.empty() || parts.size() > 3 || parts[0].empty())
    throw_invalid_argument("methods", "method '" + spec + "' must be METHOD[:local|global|fixed[:all|band|frame]]");
  NormalizeOptions n{.method = parts[0]};
  if (parts.size() > 1) n.scope = parse_scope(parts[1]);
  if (parts.size() > 2) n.axis = parse_axis(parts[2]);
  const MethodInfo& info = find_method(n.method);  // an unknown method fails before any work
  if (info.kind != MethodKind::kIdentity) {        // so does a bad axis or scope
    NormalizeOptions local = n;
    local.scope = Scope::kLocal;
    Normalizer check(local, nullptr);
    if (n.scope == Scope::kGlobal && !info.supports_global)
      throw_invalid_argument("methods", "method '" + n.method + "' is local only (no :global)");
  }
  return n;
}

class ExperimentDisplay {
 public:
  explicit ExperimentDisplay(bool quiet) : quiet_(quiet), tty_(::isatty(2) != 0) {}
  void update(const ExperimentProgress& p) {
    if (quiet_) return;
    const auto now = std::chrono::steady_clock::now();
    const bool run_end = p.phase == "train" && p.epoch == p.epochs;
    if (p.phase == "features") {
      std::fprintf(stderr, "decoding and computing spectrograms...\n");
      return;
    }
    if (p.phase == "done") {
      if (tty_) std::fputc('\n', stderr);
      return;
    }
    if (!run_end && std::chrono::duration<double>(now - last_).count() < (tty_ ? 0.2 : 10.0)) return;
    last_ = now;
    char val[32] = "";
    if (std::isfinite(p.val_accuracy)) std::snprintf(val, sizeof val, "  val %.1f%%", 100 * p.val_accuracy);
    std::fprintf(stderr, "%srun %zu/%zu  %s  epoch %d/%d%s  %.0f s%s", tty_ ? "\r" : "", p.run, p.runs,
                 p.config.c_str(), p.epoch, p.epochs, val, p.seconds, tty_ ? (run_end ? "\n" : "   ") : "\n");
  }

 private:
  bool quiet_, tty_;
  std::chrono::steady_clock::time_point last_{};
};

int run(const ExperimentArgs& a) {
  ExperimentOptions o;
  o.data = a.data;
  if (!a.labels.empty()) o.labels = a.labels;
  o.path_column = a.path_column;
  o.label_column = a.label_column;
  if (!a.split_column.empty()) o.split_column = a.split_column;
  if (!a.holdout_column.empty()) o.holdout_column = a.holdout_column;
  if (!a.group_column.empty()) o.group_column = a.group_column;
  if (!a.holdout.empty()) o.holdout_value = a.holdout;
  const OptionValues given = a.mel.given();
  o.features = resolve_pipeline_options(given);
  for (const auto& m : a.methods) o.methods.push_back(parse_method_spec(m));
  if (!a.db_refs.empty() && given.count("db")) throw_invalid_argument("db_refs", "--db and --db-refs are alternatives");
  if (!a.db_floors.empty() && given.count("db_floor"))
    throw_invalid_argument("db_floors", "--db-floor and --db-floors are alternatives");
  o.db_refs = a.db_refs;
  for (const auto& f : a.db_floors) {
    try {
      o.db_floors.push_back(parse_db_floor(f));
    } catch (const Error& e) { throw_invalid_argument("db_floors", e.what()); }
  }
  o.bn_axes.clear();
  for (const auto& b : a.bn_axes) o.bn_axes.push_back(parse_bn_axis(b));
  o.seeds = a.seeds;
  o.model = a.model;
  o.train = a.train;
  o.eval_gains_db = a.eval_gains;
  o.eval_click = a.eval_click;
  o.eval_noise_snr_db = a.eval_noise;
  o.eval_bits = a.eval_bits;
  o.train_click_fraction = a.train_click;
  o.train_augmentations = a.augment.augmentations();
  o.out_dir = a.out_dir;
  if (!a.save_model.empty()) o.save_model = a.save_model;
  if (!a.save_models.empty()) o.save_models = a.save_models;
  ExperimentDisplay display(a.quiet);
  const ExperimentSummary s = run_experiment(o, [&](const ExperimentProgress& p) { display.update(p); });
  if (!a.quiet)
    std::fprintf(stderr, "%zu runs in %.0f s; best clean accuracy %.1f%% (%s); %s/results.md\n", s.runs, s.seconds,
                 100 * s.best_clean_accuracy, s.best_config.c_str(), a.out_dir.c_str());
  return 0;
}

void add_common(CLI::App* cmd, ExperimentArgs& a) {
  cmd->add_option("--data", a.data, "Folder of audio files (label = parent folder) or a .txt/.csv list")->required();
  cmd->add_option("--labels", a.labels, "CSV path,label[,split,speaker,...]");
  cmd->add_option("--path-column", a.path_column, "The labels CSV's column of paths")->capture_default_str();
  cmd->add_option("--label-column", a.label_column, "The labels CSV's column of labels")->capture_default_str();
  auto* split = cmd->add_option("--split-column", a.split_column,
                                "Column with train/test (optional val) per row; default: 'split' if present");
  auto* holdout = cmd->add_option("--holdout-column", a.holdout_column,
                                  "Hold out the rows whose COLUMN equals --holdout as the test set");
  cmd->add_option("--holdout", a.holdout, "The held-out value (e.g. a speaker)");
  cmd->add_option("--group-column", a.group_column,
                  "Validation in whole groups of this column (e.g. speaker, a source recording): none on both sides");
  split->excludes(holdout);
  cmd->add_option("-o,--output", a.out_dir, "Results folder (results.csv, results.md, *.png)")->required();
  cmd->add_option("--epochs", a.train.epochs, "Training epochs")->capture_default_str();
  cmd->add_option("--batch-size", a.train.batch_size, "Rows per batch")->capture_default_str();
  cmd->add_option("--lr", a.train.learning_rate, "Adam learning rate")->capture_default_str();
  cmd->add_option("--val-fraction", a.train.val_fraction,
                  "Part of the train rows held out to pick the best epoch (0: last epoch)")
      ->capture_default_str();
  cmd->add_option("--threads", a.train.threads,
                  "libtorch threads (0: all cores); same seed and threads give the same numbers")
      ->capture_default_str();
  cmd->add_option("--blocks", a.model.blocks, "Conv-BN-ReLU-pool blocks")->capture_default_str();
  cmd->add_option("--channels", a.model.channels, "Channels of the first block (doubled per block)")
      ->capture_default_str();
  cmd->add_option("--max-channels", a.model.max_channels, "Channel cap")->capture_default_str();
  cmd->add_option("--eval-gain", a.eval_gains,
                  "Gain shifts of the test audio, dB (comma-separated; clipped to [-1, 1])")
      ->delimiter(',');
  cmd->add_option("--eval-bits", a.eval_bits,
                  "Also evaluate each --eval-gain re-quantized to this many bits (e.g. 16: PCM16)");
  cmd->add_option("--train-click", a.train_click,
                  "Augmentation: give this share (0..1) of the training clips one full-scale click");
  a.augment.add_to(*cmd, true);
  cmd->add_flag("--eval-click", a.eval_click, "Also evaluate with one full-scale click per test clip");
  cmd->add_option("--eval-noise", a.eval_noise, "Also evaluate with white noise at this SNR, dB");
  cmd->add_flag("-q,--quiet", a.quiet, "No progress and no summary");
  a.mel.add_to(*cmd, pipeline_schema(), stages_before(OptionStage::kNormalize));
}

}  // namespace

Run add_experiment_command(CLI::App& app) {
  auto a = std::make_shared<ExperimentArgs>();
  CLI::App* cmd =
      app.add_subcommand("experiment", "Train and evaluate CNNs for every normalization x BatchNorm axis x seed");
  add_common(cmd, *a);
  cmd->add_option(
         "--methods", a->methods,
         "METHOD[:local|global|fixed[:all|band|frame]],... or none (fixed: the preset's statistics: ast, beats)")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--bn-axes", a->bn_axes, "channel,freq,time,none")->delimiter(',')->capture_default_str();
  cmd->add_option("--db-refs", a->db_refs, "dB references as a dimension: max,p99.5,ref1 (default: --db's)")
      ->delimiter(',');
  cmd->add_option("--db-floors", a->db_floors, "dB floors as a dimension: absolute,relative (default: --db-floor's)")
      ->delimiter(',');
  cmd->add_option("--seeds", a->seeds, "Seeds, comma-separated")->delimiter(',')->capture_default_str();
  cmd->add_option("--save-models", a->save_models,
                  "Save every run's model in DIR/<run>/, and DIR/best: the best validation accuracy's");
  return [cmd, a]() -> int { return cmd->parsed() ? run(*a) : -1; };
}

Run add_train_command(CLI::App& app) {
  auto a = std::make_shared<ExperimentArgs>();
  CLI::App* cmd =
      app.add_subcommand("train", "Train and evaluate one CNN configuration (one method, BatchNorm axis and seed)");
  add_common(cmd, *a);
  cmd->add_option("--method", a->method, "METHOD[:local|global|fixed[:all|band|frame]] or none")->capture_default_str();
  cmd->add_option("--bn-axis", a->bn_axis, "channel | freq | time | none")->capture_default_str();
  cmd->add_option("--seed", a->seed, "Seed")->capture_default_str();
  cmd->add_option("--save-model", a->save_model,
                  "Save the trained model (network, pipeline, statistics) in this folder");
  return [cmd, a]() -> int {
    if (!cmd->parsed()) return -1;
    a->methods = {a->method};
    a->bn_axes = {a->bn_axis};
    a->seeds = {a->seed};
    return run(*a);
  };
}

}  // namespace melnorm::cli
