#include "experiment/features.h"

#include <random>

#include "core/format.h"
#include "experiment/perturb.h"
#include "melnorm/augment.h"

namespace melnorm::detail {

namespace {

// A row's seed for its test perturbation (the click's position, the noise).
std::uint64_t row_seed(std::size_t row) { return 0x9E3779B97F4A7C15ull ^ row; }

// The rows given a click by the click augmentation: chosen by a hash of the
// row, so the same rows in every run, epoch and feature kind.
bool gets_click(std::size_t row, double click_fraction) {
  return click_fraction > 0 &&
         static_cast<double>(std::mt19937_64(row_seed(row) * 31 + 7)() % 1000000) < click_fraction * 1e6;
}

void append(FeatureSet& f, const Pipeline& features, const std::vector<float>& samples, int rate, int label,
            std::size_t rows) {
  const Matrix m = std::move(features.run_unnormalized(samples, rate).front().features);
  if (f.x.empty()) f.F = m.rows, f.T = m.cols, f.x.reserve(rows * m.data.size());
  f.x.insert(f.x.end(), m.data.begin(), m.data.end());
  f.y.push_back(label);
}

// Spectrograms of `rows` under `condition`. With click_fraction > 0, that
// share of the rows gets one full-scale click first: training-time augmentation.
FeatureSet features_of(const Pipeline& features, const Dataset& d, const std::vector<std::size_t>& rows,
                       const Condition& condition, double click_fraction = 0.0, std::size_t* clicked_rows = nullptr) {
  FeatureSet f;
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const Row& r = d.rows[rows[k]];
    Condition c = condition;
    if (c.kind == Condition::Kind::kClean && gets_click(rows[k], click_fraction)) {
      c = Condition::click();
      if (clicked_rows) ++*clicked_rows;
    }
    if (c.kind == Condition::Kind::kClean) append(f, features, r.samples, d.sample_rate, r.label, rows.size());
    else append(f, features, perturb(r.samples, c, row_seed(rows[k])), d.sample_rate, r.label, rows.size());
  }
  return f;
}

}  // namespace

FeatureSet augmented_features(const Pipeline& mel, const Dataset& d, const std::vector<std::size_t>& rows,
                              const Augmentation& a, std::uint64_t seed, int epoch, double click_fraction) {
  FeatureSet f;
  for (std::size_t row : rows) {
    const Row& r = d.rows[row];
    std::vector<float> y = augment(r.samples, a, seed, static_cast<std::uint64_t>(epoch), row);
    if (gets_click(row, click_fraction)) y = perturb(y, Condition::click(), row_seed(row));  // stored after the gain
    append(f, mel, y, d.sample_rate, r.label, rows.size());
  }
  return f;
}

PipelineOptions arm_features(const ExperimentOptions& o, int rate, const Grid& grid, const Arm& arm) {
  OptionValues v = option_values(o.features);
  for (const char* cut : {"pad_to", "segment", "segment_hop", "normalize", "scope", "axis", "mean", "std", "params"})
    v.erase(cut);
  v["sr"] = num(rate);
  v["layout"] = "bins_first";  // the CNN's [bins, frames], whatever the preset's layout
  if (o.features.kaldi_frontend()) {
    // Kaldi's log features: no dB step to set, and no linear magnitude (refused in validate).
  } else if (arm.db) {
    const DbOptions& db = grid.db_variants[*arm.db];
    v["db"] = db_ref_name(db);
    v["db_floor"] = to_string(db.floor);
  } else {  // the method's input, as the schema resolves it
    v.erase("power"), v.erase("db");
    v["normalize"] = arm.method.method;
  }
  PipelineOptions features = resolve_pipeline_options(v);
  features.normalize.reset();  // the arm normalizes whole feature sets itself (global statistics of the train rows)
  return features;
}

namespace {

// An OUTDIR's rows as they were extracted (the one feature kind, clean only).
FeatureSet stored_features(const Dataset& d, const std::vector<std::size_t>& rows) {
  FeatureSet f;
  for (std::size_t i : rows) {
    const Matrix& m = d.rows[i].features;
    if (f.x.empty()) f.F = m.rows, f.T = m.cols, f.x.reserve(rows.size() * m.data.size());
    f.x.insert(f.x.end(), m.data.begin(), m.data.end());
    f.y.push_back(d.rows[i].label);
  }
  return f;
}

}  // namespace

GridFeatures grid_features(const ExperimentOptions& o, const Dataset& d, const RowSplit& rows, const Grid& grid) {
  GridFeatures out;
  if (d.extracted) {  // adopt_outdir_features refused what would need other features or the audio
    KindFeatures k{
        .train = stored_features(d, rows.train), .val_fixed = stored_features(d, rows.fixed_val), .test = {}};
    k.test.push_back(stored_features(d, rows.test));
    for (const auto& arm : grid.arms) out.kinds.emplace(arm.db, k);
    return out;
  }
  for (const auto& arm : grid.arms) {
    if (out.kinds.count(arm.db)) continue;
    const Pipeline mel(arm_features(o, d.sample_rate, grid, arm));
    KindFeatures k;
    out.train_click_rows = 0;  // the same rows for every feature kind
    k.train = features_of(mel, d, rows.train, Condition::clean(), o.train_click_fraction, &out.train_click_rows);
    k.val_fixed = features_of(mel, d, rows.fixed_val, Condition::clean());
    for (const auto& c : grid.conditions) k.test.push_back(features_of(mel, d, rows.test, c));
    out.kinds.emplace(arm.db, std::move(k));
  }
  return out;
}

}  // namespace melnorm::detail
