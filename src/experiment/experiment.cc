// melnorm experiment: the grid methods x BatchNorm axes x seeds, from audio.
// The stages, each in its own file: the grid (grid.h), the data and its split
// (dataset.h), the features (features.h), one arm's runs (arm.h), the results
// (results.h) and the report and charts (report.h).
#include "melnorm/experiment.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "core/format.h"
#include "experiment/arm.h"
#include "experiment/dataset.h"
#include "experiment/features.h"
#include "experiment/grid.h"
#include "experiment/model_dir.h"
#include "experiment/report.h"
#include "melnorm/error.h"
#include "melnorm/pipeline.h"

namespace melnorm {

using detail::num;

namespace {

// METHOD:fixed takes the features' fixed statistics (a preset's, or mean and
// std given); Kaldi's front end has no linear magnitude for pcen to read.
void check_methods_against_features(const ExperimentOptions& o) {
  const auto& given = o.features.normalize;
  for (const NormalizeOptions& m : o.methods) {
    const MethodInfo& info = find_method(m.method);
    if (info.kind != MethodKind::kIdentity && m.scope == Scope::kFixed) {
      if (!info.supports_fixed)
        throw_invalid_argument("methods", "method '" + m.method + ":fixed': " + m.method +
                                              " takes no fixed statistics; allowed with :fixed: zscore");
      if (!given || given->scope != Scope::kFixed)
        throw_invalid_argument("methods", "method '" + m.method +
                                              ":fixed' needs fixed statistics, which these features do not "
                                              "have: use a preset that has them (ast, beats)");
    }
    if (o.features.kaldi_frontend() && info.input == MethodInput::kLinearMagnitude)
      throw_invalid_argument("methods", "method '" + m.method + "' reads the linear mel magnitude, which frontend=" +
                                            to_string(o.features.frontend) +
                                            " does not give; allowed: methods on its log features (zscore, minmax, "
                                            "...)");
  }
}

}  // namespace

void ExperimentOptions::validate() const {
  features.validate();
  const MelSpectrogramOptions& mel = features.mel;
  const auto& pad_to = features.pad_to;
  const auto& segment = features.segment;
  model.validate();
  train.validate();
  if (methods.empty())
    throw_invalid_argument("methods", "give at least one method (e.g. methods minmax,zscore:global)");
  if (bn_axes.empty())
    throw_invalid_argument("bn_axes", "give at least one BatchNorm axis (channel, freq, time, none)");
  if (seeds.empty()) throw_invalid_argument("seeds", "give at least one seed");
  if (!pad_to && !segment && !features.target_frames)
    throw_invalid_argument("pad_to", "the CNN needs fixed-size input: set " + param_text("pad_to") + " or " +
                                         param_text("segment") + " (seconds), or " + param_text("target_frames"));
  if (pad_to && segment) throw_invalid_argument("pad_to", "pad_to and segment are alternatives");
  for (auto v : {pad_to, segment})
    if (v && !(*v > 0 && std::isfinite(*v)))
      throw_invalid_argument("pad_to", "durations must be positive seconds, got " + num(*v));
  if (holdout_column.has_value() != holdout_value.has_value())
    throw_invalid_argument("holdout", "holdout_column and holdout go together");
  if (holdout_column && split_column)
    throw_invalid_argument("holdout", "split_column and holdout_column are alternatives");
  if (features.normalize && features.normalize->scope != Scope::kFixed)
    throw_invalid_argument("normalize",
                           "experiments take their normalizations as methods, not normalize (fixed statistics, "
                           "as a preset's, are kept for methods METHOD:fixed)");
  check_methods_against_features(*this);
  if (features.segment_hop)
    throw_invalid_argument("segment_hop", "experiments cut segments without overlap: leave out segment_hop");
  if (features.rate_policy == PipelineOptions::RatePolicy::kNative)
    throw_invalid_argument("sr", "sr=native: a CNN needs one frequency axis; set sr or let the clips share one rate");
  for (double g : eval_gains_db)
    if (!std::isfinite(g) || g < -120 || g > 60)
      throw_invalid_argument("eval_gain", "eval gain " + num(g) + " dB must be in [-120, 60]");
  if (eval_bits && (*eval_bits < 8 || *eval_bits > 24))
    throw_invalid_argument("eval_bits", "eval_bits=" + num(*eval_bits) + " must be in [8, 24] (PCM bits)");
  if (eval_bits && eval_gains_db.empty())
    throw_invalid_argument("eval_bits", "eval_bits re-quantizes the eval_gain conditions: give eval_gain too");
  if (!(train_click_fraction >= 0 && train_click_fraction <= 1))
    throw_invalid_argument("train_click", "train_click=" + num(train_click_fraction) + " must be a fraction in [0, 1]");
  for (const auto& a : train_augmentations) a.validate();
  if (eval_noise_snr_db && !std::isfinite(*eval_noise_snr_db))
    throw_invalid_argument("eval_noise", "the noise SNR must be a finite number of dB");
  for (const auto& r : db_refs) {
    DbOptions check = mel.db;
    try {
      parse_db_ref(r, check);
    } catch (const Error& e) {
      throw_invalid_argument("db_refs", e.what());  // name the grid's flag, not --db
    }
    if (!check.enabled)
      throw_invalid_argument("db_refs", "db ref 'off' is not a dB conversion; allowed: ref1, max, pP (e.g. p99.5)");
  }
  if ((!db_refs.empty() || !db_floors.empty()) && features.kaldi_frontend())
    throw_invalid_argument("db_refs", "frontend=" + to_string(features.frontend) +
                                          " gives Kaldi's log features, with no dB step to vary: leave out db_refs "
                                          "and db_floors");
  if ((!db_refs.empty() || !db_floors.empty()) && !mel.db.enabled)
    throw_invalid_argument("db_refs", "db=off and dB variants (db_refs/db_floors) contradict each other");
  if (out_dir.empty()) throw_invalid_argument("out_dir", "give an output folder (-o RESULTS_DIR)");
  if (save_model && save_models) throw_invalid_argument("save_model", "save_model and save_models are alternatives");
  if (save_model &&
      (methods.size() * bn_axes.size() * seeds.size() * std::max<std::size_t>(1, db_refs.size()) *
           std::max<std::size_t>(1, db_floors.size()) * std::max<std::size_t>(1, train_augmentations.size()) !=
       1))
    throw_invalid_argument(
        "save_model",
        "save_model saves one run's model: give one method, BatchNorm axis, seed and training augmentation "
        "(save_models saves one per run)");
}

ExperimentSummary run_experiment(const ExperimentOptions& options,
                                 const std::function<void(const ExperimentProgress&)>& progress) {
  detail::ProgressReport report(progress);
  ExperimentOptions o = options;
  if (detail::is_outdir(o.data)) detail::adopt_outdir_features(o);  // its features, labels and split
  o.validate();
  const detail::Grid grid = detail::make_grid(o);
  report.state().phase = "features";
  report.send();
  const detail::Dataset data = detail::load_dataset(o);
  const detail::RowSplit rows = detail::split_rows(o, data);
  const detail::ExperimentContext ctx{.options = o, .data = data, .rows = rows, .grid = grid};
  const detail::GridFeatures features = detail::grid_features(o, data, rows, grid);

  detail::ExperimentOutputs out;
  out.summary.runs = report.state().runs = grid.runs(o);
  out.summary.train_click_rows = features.train_click_rows;
  out.summary.test_rows = rows.test.size();
  std::error_code ec;
  std::filesystem::create_directories(o.out_dir, ec);
  if (ec) throw Error(ErrorCode::kIo, "out_dir", o.out_dir.string() + ": cannot create: " + ec.message());
  for (const auto& arm : grid.arms) detail::run_arm(ctx, arm, features.kinds.at(arm.db), report, out);
  if (o.save_models) detail::point_best(*o.save_models, out.best_saved);

  std::tie(out.summary.best_config, out.summary.best_clean_accuracy) =
      out.results.best_clean(o.features.segment ? "track" : "clip");
  detail::write_report(ctx, out);
  out.summary.seconds = report.elapsed();
  report.state().phase = "done";
  report.state().seconds = out.summary.seconds;
  report.send();
  return out.summary;
}

}  // namespace melnorm
