#include "experiment/arm.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <utility>

#include "core/format.h"
#include "core/sha256.h"
#include "experiment/classifier.h"
#include "experiment/model_dir.h"
#include "experiment/validation_split.h"
#include "melnorm/model.h"

namespace melnorm::detail {

namespace {

// `p` from the root, without . or .. (the folder train ran in is not recorded).
std::filesystem::path absolute_path(const std::filesystem::path& p) {
  std::error_code ec;
  const std::filesystem::path a = std::filesystem::absolute(p, ec);
  return (ec ? p : a).lexically_normal();
}

// An arm's features normalized with its method: global statistics come from
// the training rows (and the split's own val rows), never the test rows.
struct NormalizedArm {
  NormalizeOptions method;
  std::string label, db_ref, db_floor;   // arm_label, and the dB variant for results.csv
  Augmentation augmentation;             // of the training clips, every epoch
  PipelineOptions features;              // the unnormalized features (of the augmented epochs)
  PipelineOptions with_method;           // the features with the method: what a saved model runs
  std::optional<NormalizeOptions> norm;  // the method as it runs (none for the identity)
  std::optional<Stats> stats;            // global scope only
  FeatureSet train_all, val_fixed;
  std::vector<FeatureSet> tests;  // per condition
};

void normalize_in_place(FeatureSet& f, const Normalizer* n) {
  if (n && f.size()) n->apply(BatchView{f.x.data(), f.size(), f.F, f.T});
}

NormalizedArm normalize_arm(const ExperimentContext& ctx, const Arm& arm, const KindFeatures& kind) {
  NormalizedArm a{.method = arm.method,
                  .label = arm_label(ctx.grid, arm),
                  .db_ref = db_ref_of(ctx.grid, arm),
                  .db_floor = db_floor_of(ctx.grid, arm),
                  .augmentation = ctx.grid.augmentations.at(arm.augment),
                  .features = arm_features(ctx.options, ctx.data.sample_rate, ctx.grid, arm),
                  .with_method = {},
                  .norm = {},
                  .stats = {},
                  .train_all = kind.train,
                  .val_fixed = kind.val_fixed,
                  .tests = kind.test};
  a.with_method = a.features;
  std::optional<Normalizer> norm;
  if (normalizes(arm.method)) {
    a.with_method.normalize = as_resolved(arm.method);
    if (arm.method.scope == Scope::kFixed) {  // the features' given statistics (checked in validate)
      a.with_method.normalize->fixed_mean = ctx.options.features.normalize->fixed_mean;
      a.with_method.normalize->fixed_std = ctx.options.features.normalize->fixed_std;
    }
    const NormalizeOptions n = normalization_at(a.with_method, ctx.data.sample_rate);
    if (n.scope == Scope::kGlobal) {
      a.stats.emplace(kind.train.F);
      for (const auto* set : {&kind.train, &kind.val_fixed})
        for (std::size_t i = 0; i < set->size(); ++i)
          a.stats->update(set->x.data() + i * set->F * set->T, set->F, set->T);
    }
    norm.emplace(n, a.stats ? &*a.stats : nullptr);
    a.norm = n;
  }
  normalize_in_place(a.train_all, norm ? &*norm : nullptr);
  normalize_in_place(a.val_fixed, norm ? &*norm : nullptr);
  for (auto& t : a.tests) normalize_in_place(t, norm ? &*norm : nullptr);
  return a;
}

// One run: an arm with a BatchNorm axis and a seed.
struct Run {
  BnAxis bn = BnAxis::kChannel;
  int seed = 0;
  std::string config;  // arm label + " bn=" + axis
  FeatureSet train, val;
  std::vector<std::size_t> train_rows;  // the dataset's rows of `train`, in its order
  std::unique_ptr<Classifier> net;
  std::vector<double> val_by_epoch;
  double train_seconds = 0.0;
};

// The run's validation rows: the split's, or a stratified part of the train
// rows (whole groups) drawn with the seed.
void split_validation(const ExperimentContext& ctx, const NormalizedArm& arm, Run& run) {
  const FeatureSet& all = arm.train_all;
  if (!ctx.rows.fixed_val.empty() || ctx.options.train.val_fraction == 0) {
    run.train = all, run.val = arm.val_fixed, run.train_rows = ctx.rows.train;
    return;
  }
  run.train.F = run.val.F = all.F, run.train.T = run.val.T = all.T;
  const std::size_t per = all.F * all.T;
  std::vector<std::size_t> groups(ctx.rows.train.size());
  for (std::size_t i = 0; i < ctx.rows.train.size(); ++i) groups[i] = ctx.data.rows[ctx.rows.train[i]].group;
  const std::vector<bool> is_val =
      validation_split(all.y, groups, ctx.options.train.val_fraction, static_cast<std::uint64_t>(run.seed));
  for (std::size_t i = 0; i < all.size(); ++i) {
    auto& dst = is_val[i] ? run.val : run.train;
    if (!is_val[i]) run.train_rows.push_back(ctx.rows.train[i]);
    dst.x.insert(dst.x.end(), all.x.begin() + static_cast<std::ptrdiff_t>(i * per),
                 all.x.begin() + static_cast<std::ptrdiff_t>((i + 1) * per));
    dst.y.push_back(all.y[i]);
  }
}

// The arm's training rows for one epoch: perturbed afresh for (run seed,
// epoch, row), their features computed and normalized as the clean ones.
std::function<const FeatureSet&(int)> augmented_epochs(const ExperimentContext& ctx, const NormalizedArm& arm,
                                                       const Run& run, FeatureSet& buffer) {
  if (!arm.augmentation.enabled()) return {};
  auto mel = std::make_shared<const Pipeline>(arm.features);
  auto norm = arm.norm ? std::make_shared<const Normalizer>(*arm.norm, arm.stats ? &*arm.stats : nullptr) : nullptr;
  return [&ctx, &arm, &run, &buffer, mel, norm](int epoch) -> const FeatureSet& {
    buffer = augmented_features(*mel, ctx.data, run.train_rows, arm.augmentation, static_cast<std::uint64_t>(run.seed),
                                epoch, ctx.options.train_click_fraction);
    normalize_in_place(buffer, norm.get());
    return buffer;
  };
}

void train(const ExperimentContext& ctx, const NormalizedArm& arm, Run& run, ProgressReport& progress) {
  ModelOptions model = ctx.options.model;
  model.bn_axis = run.bn;
  ExperimentProgress& p = progress.state();
  p.config = run.config + " seed=" + num(run.seed);
  p.phase = "train";
  p.epochs = ctx.options.train.epochs;
  const auto start = std::chrono::steady_clock::now();
  FeatureSet epoch_rows;
  run.net = train_classifier(
      model, ctx.options.train, run.seed, run.train, run.val, static_cast<int>(ctx.data.classes.size()),
      [&](const EpochReport& r) {
        run.val_by_epoch.push_back(r.val_accuracy);
        p.epoch = r.epoch;
        p.val_accuracy = r.val_accuracy;
        p.seconds = progress.elapsed();
        progress.send();
      },
      augmented_epochs(ctx, arm, run, epoch_rows));
  run.train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// A track's prediction: the mean of its segments' logits.
Scores track_scores(const ExperimentContext& ctx, const FeatureSet& t, const std::vector<float>& logits, int K) {
  std::map<std::size_t, std::pair<std::vector<double>, int>> tracks;
  const auto k_size = static_cast<std::size_t>(K);
  for (std::size_t i = 0; i < t.size(); ++i) {
    auto& [sum, label] = tracks[ctx.data.rows[ctx.rows.test[i]].source];
    sum.resize(k_size, 0.0);
    for (std::size_t k = 0; k < k_size; ++k) sum[k] += logits[i * k_size + k];
    label = t.y[i];
  }
  std::vector<int> truth, pred;
  for (const auto& [src, v] : tracks) {
    truth.push_back(v.second);
    pred.push_back(static_cast<int>(std::max_element(v.first.begin(), v.first.end()) - v.first.begin()));
  }
  return score(truth, pred, K);
}

// The fields of a run's results.csv rows that every condition shares.
RunRecord arm_record(const ExperimentOptions& o, const NormalizedArm& arm, const Run& run) {
  const bool normalized = normalizes(arm.method);
  return {.method = arm.method.method,
          .scope = normalized ? to_string(arm.method.scope) : "",
          .axis = normalized ? to_string(arm.method.axis) : "",
          .db_ref = arm.db_ref,
          .db_floor = arm.db_floor,
          .train_augment = arm.augmentation.name(),
          .bn_axis = to_string(run.bn),
          .seed = run.seed,
          .config = run.config,
          .condition = {},
          .level = {},
          .scores = {},
          .epochs = o.train.epochs,
          .best_epoch = run.net->best_epoch(),
          .train_seconds = run.train_seconds};
}

// Scores every test condition (rows, and with segments whole tracks too).
void evaluate(const ExperimentContext& ctx, const NormalizedArm& arm, const Run& run, Results& results) {
  const bool segmented = ctx.options.features.segment.has_value();
  for (std::size_t c = 0; c < ctx.grid.conditions.size(); ++c) {
    const auto& t = arm.tests[c];
    const auto logits = run.net->logits(t.x.data(), t.size());
    const int K = run.net->n_classes();
    RunRecord rec = arm_record(ctx.options, arm, run);
    rec.condition = ctx.grid.conditions[c].name();
    rec.level = segmented ? "segment" : "clip";
    rec.scores = score(t.y, argmax_rows(logits, t.size(), K), K);
    results.records.push_back(rec);
    if (c == 0) results.add_clean_confusion(run.config, rec.scores.confusion);
    if (segmented) {
      rec.level = "track";
      rec.scores = track_scores(ctx, t, logits, K);
      results.records.push_back(rec);
    }
  }
}

// The pipeline a saved model runs: the arm's features with its method and
// the experiment's cut, resolved as pipeline.json reads back, normalizing
// with the training rows' statistics (fingerprinted as the features).
Pipeline served_pipeline(PipelineOptions arm, const ExperimentOptions& o, std::optional<Stats> stats) {
  arm.pad_to = o.features.pad_to;
  arm.segment = o.features.segment;
  const PipelineOptions resolved = resolve_pipeline_options(option_values(arm));
  if (fingerprint_of(resolved) != fingerprint_of(arm))
    throw std::logic_error("the saved pipeline's options do not read back as the features the model was trained on");
  if (stats) stats->set_fingerprint(fingerprint_of(resolved, OptionStage::kNormalize));
  return Pipeline(resolved, std::move(stats));
}

// model.json's fields that are the same for every run of the experiment.
ModelRecord base_record(const ExperimentContext& ctx) {
  const ExperimentOptions& o = ctx.options;
  ModelRecord r;
  r.classes = ctx.data.classes;
  r.blocks = o.model.blocks, r.channels = o.model.channels, r.max_channels = o.model.max_channels;
  // Absolute: model.json is read from anywhere, not from the folder train ran in.
  r.data = absolute_path(o.data).string();
  if (o.labels) r.labels = absolute_path(*o.labels).string(), r.labels_sha256 = sha256_file(*o.labels);
  r.data_sha256 = ctx.data.sha256;
  r.split = ctx.data.split + "; validation: " + validation_text(o, ctx.data);
  r.epochs = o.train.epochs;
  r.test_rows = ctx.rows.test.size();
  r.level = o.features.segment ? "track" : "clip";
  return r;
}

// Saves the run's model (save_model, or a folder of save_models) and keeps
// track of the saved run with the best validation accuracy.
void save_run(const ExperimentContext& ctx, const NormalizedArm& arm, const Run& run, std::size_t first_record,
              ExperimentOutputs& out) {
  const ExperimentOptions& o = ctx.options;
  ModelRecord rec = base_record(ctx);
  rec.n_mels = run.train.F, rec.frames = run.train.T;
  rec.config = run.config, rec.bn_axis = to_string(run.bn), rec.seed = run.seed, rec.best_epoch = run.net->best_epoch();
  rec.train_rows = run.train.size(), rec.val_rows = run.val.size();
  if (run.val.size() > 0) rec.val_accuracy = run.val_by_epoch.at(static_cast<std::size_t>(rec.best_epoch - 1));
  const auto& records = out.results.records;
  for (std::size_t k = first_record; k < records.size(); ++k)
    if (records[k].condition == "clean" && records[k].level == rec.level)
      rec.test_accuracy = records[k].scores.accuracy;
  const std::string name = run_folder_name(run.config, run.seed);
  save_model_dir(o.save_model ? *o.save_model : *o.save_models / name, *run.net,
                 served_pipeline(arm.with_method, o, arm.stats), rec);
  const double v = std::isnan(rec.val_accuracy) ? -1.0 : rec.val_accuracy;
  if (out.best_saved.empty() || v > out.best_saved_val) out.best_saved = name, out.best_saved_val = v;
}

}  // namespace

void run_arm(const ExperimentContext& ctx, const Arm& arm, const KindFeatures& features, ProgressReport& progress,
             ExperimentOutputs& out) {
  const ExperimentOptions& o = ctx.options;
  const NormalizedArm normalized = normalize_arm(ctx, arm, features);
  for (BnAxis bn : o.bn_axes) {
    for (int seed : o.seeds) {
      ++progress.state().run;
      Run run{.bn = bn, .seed = seed, .config = normalized.label + " bn=" + to_string(bn)};
      split_validation(ctx, normalized, run);
      out.summary.train_rows = run.train.size(), out.summary.val_rows = run.val.size();
      train(ctx, normalized, run, progress);
      const std::size_t first_record = out.results.records.size();
      evaluate(ctx, normalized, run, out.results);
      write_results_csv(o.out_dir / "results.csv",
                        out.results.records);  // after every run: an interruption keeps what is done
      if (o.save_model || o.save_models) save_run(ctx, normalized, run, first_record, out);
    }
  }
}

}  // namespace melnorm::detail
