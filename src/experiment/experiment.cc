// melnorm experiment: the grid methods x BatchNorm axes x seeds, from audio.
#include "melnorm/experiment.h"
#include "melnorm/pipeline.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <sstream>

#include "core/format.h"
#include "core/sha256.h"
#include "dataset/sources.h"
#include "experiment/classifier.h"
#include "experiment/metrics.h"
#include "experiment/model_dir.h"
#include "experiment/perturb.h"
#include "experiment/validation_split.h"
#include "io/atomic_file.h"
#include "melnorm/audio.h"
#include "melnorm/error.h"
#include "melnorm/model.h"
#include "melnorm/render.h"
#include "melnorm/stats.h"

namespace melnorm {

using detail::num;
namespace fs = std::filesystem;

BnAxis parse_bn_axis(std::string_view name) {
  if (name == "channel") return BnAxis::kChannel;
  if (name == "freq") return BnAxis::kFreq;
  if (name == "time") return BnAxis::kTime;
  if (name == "none") return BnAxis::kNone;
  throw_invalid_argument("bn_axes", "bn axis '" + std::string(name) + "' is not supported; allowed: channel, freq, time, none");
}

std::string to_string(BnAxis axis) {
  switch (axis) {
    case BnAxis::kChannel: return "channel";
    case BnAxis::kFreq: return "freq";
    case BnAxis::kTime: return "time";
    case BnAxis::kNone: return "none";
  }
  return "?";
}

void ModelOptions::validate() const {
  if (blocks < 1 || blocks > 8) throw_invalid_argument("blocks", "blocks=" + num(blocks) + " must be in [1, 8]");
  if (channels < 1 || channels > 512) throw_invalid_argument("channels", "channels=" + num(channels) + " must be in [1, 512]");
  if (max_channels < channels)
    throw_invalid_argument("max_channels", "max_channels=" + num(max_channels) + " must be >= channels=" + num(channels));
}

void TrainOptions::validate() const {
  if (epochs < 1) throw_invalid_argument("epochs", "epochs=" + num(epochs) + " must be a positive integer");
  if (batch_size < 2) throw_invalid_argument("batch_size", "batch_size=" + num(batch_size) + " must be >= 2 (BatchNorm)");
  if (!(learning_rate > 0 && learning_rate < 1))
    throw_invalid_argument("learning_rate", "learning_rate=" + num(learning_rate) + " must be in (0, 1)");
  if (!(val_fraction >= 0 && val_fraction < 0.5))
    throw_invalid_argument("val_fraction", "val_fraction=" + num(val_fraction) + " must be in [0, 0.5)");
  if (threads < 0) throw_invalid_argument("threads", "threads=" + num(threads) + " must be >= 0 (0: all cores)");
}

std::string Condition::name() const {
  switch (kind) {
    case Kind::kClean: return "clean";
    case Kind::kGain: return "gain" + std::string(value > 0 ? "+" : "") + num(value) + "dB" + (bits ? "-pcm" + num(bits) : "");
    case Kind::kClick: return "click";
    case Kind::kNoise: return "noise" + num(value) + "dB";
  }
  return "?";
}

void ExperimentOptions::validate() const {
  features.validate();
  const MelSpectrogramOptions& mel = features.mel;
  const auto& pad_to = features.pad_to;
  const auto& segment = features.segment;
  model.validate();
  train.validate();
  if (methods.empty()) throw_invalid_argument("methods", "give at least one method (e.g. methods minmax,zscore:global)");
  if (bn_axes.empty()) throw_invalid_argument("bn_axes", "give at least one BatchNorm axis (channel, freq, time, none)");
  if (seeds.empty()) throw_invalid_argument("seeds", "give at least one seed");
  if (!pad_to && !segment)
    throw_invalid_argument("pad_to", "the CNN needs fixed-size input: set pad_to or segment (seconds)");
  if (pad_to && segment) throw_invalid_argument("pad_to", "pad_to and segment are alternatives");
  for (auto v : {pad_to, segment})
    if (v && !(*v > 0 && std::isfinite(*v))) throw_invalid_argument("pad_to", "durations must be positive seconds, got " + num(*v));
  if (holdout_column.has_value() != holdout_value.has_value())
    throw_invalid_argument("holdout", "holdout_column and holdout go together");
  if (holdout_column && split_column) throw_invalid_argument("holdout", "split_column and holdout_column are alternatives");
  if (features.normalize) throw_invalid_argument("normalize", "experiments take their normalizations as methods, not normalize");
  if (features.segment_hop) throw_invalid_argument("segment_hop", "experiments cut segments without overlap: leave out segment_hop");
  if (features.rate_policy == PipelineOptions::RatePolicy::kNative)
    throw_invalid_argument("sr", "sr=native: a CNN needs one frequency axis; set sr or let the clips share one rate");
  for (double g : eval_gains_db)
    if (!std::isfinite(g) || g < -120 || g > 60) throw_invalid_argument("eval_gain", "eval gain " + num(g) + " dB must be in [-120, 60]");
  if (eval_bits && (*eval_bits < 8 || *eval_bits > 24))
    throw_invalid_argument("eval_bits", "eval_bits=" + num(*eval_bits) + " must be in [8, 24] (PCM bits)");
  if (eval_bits && eval_gains_db.empty())
    throw_invalid_argument("eval_bits", "eval_bits re-quantizes the eval_gain conditions: give eval_gain too");
  if (!(train_click_fraction >= 0 && train_click_fraction <= 1))
    throw_invalid_argument("train_click", "train_click=" + num(train_click_fraction) + " must be a fraction in [0, 1]");
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
  if ((!db_refs.empty() || !db_floors.empty()) && !mel.db.enabled)
    throw_invalid_argument("db_refs", "db=off and dB variants (db_refs/db_floors) contradict each other");
  if (out_dir.empty()) throw_invalid_argument("out_dir", "give an output folder (-o RESULTS_DIR)");
  if (save_model && save_models) throw_invalid_argument("save_model", "save_model and save_models are alternatives");
  if (save_model && (methods.size() * bn_axes.size() * seeds.size() * std::max<std::size_t>(1, db_refs.size()) *
                         std::max<std::size_t>(1, db_floors.size()) != 1))
    throw_invalid_argument("save_model", "save_model saves one run's model: give one method, BatchNorm axis and seed "
                                         "(save_models saves one per run)");
}

namespace {

enum class Part { kTrain, kVal, kTest };

struct Row {
  std::size_t source = 0;    // index into the source list (tracks)
  std::size_t group = 0;     // rows of one group stay on one side of the validation split
  int label = 0;
  Part part = Part::kTrain;
  std::vector<float> samples;
};

struct Dataset {
  std::vector<std::string> classes;
  std::vector<Row> rows;
  int sample_rate = 0;
  bool has_val_split = false;  // the split column had val rows
  std::vector<std::string> group_names;  // by group index: the group column's values, or the sources
  std::string sha256;          // of every clip's "name,label,part" line: the data a saved model was trained on
  std::string split;           // how the test rows were chosen, in words
};

const char* part_name(Part p) { return p == Part::kTest ? "test" : p == Part::kVal ? "val" : "train"; }

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

Dataset load_dataset(const ExperimentOptions& o) {
  const detail::SourceList list = detail::list_sources(o.data, o.labels, {.path = o.path_column, .label = o.label_column});
  if (list.sources.empty()) throw Error(ErrorCode::kInvalidData, "data", o.data.string() + ": no audio files found");
  auto column = [&](const std::string& name, const char* param = "split_column") -> std::size_t {
    for (std::size_t c = 0; c < list.extra_columns.size(); ++c)
      if (list.extra_columns[c] == name) return c;
    std::string have;
    for (const auto& c : list.extra_columns) have += (have.empty() ? "" : ", ") + c;
    throw Error(ErrorCode::kInvalidArgument, param,
                "no column '" + name + "' in the labels (columns after path,label: " + (have.empty() ? "none" : have) + ")");
  };
  std::vector<Part> parts(list.sources.size(), Part::kTrain);
  Dataset d;
  if (o.holdout_column) {
    const std::size_t c = column(*o.holdout_column);
    std::size_t n = 0;
    for (std::size_t i = 0; i < parts.size(); ++i)
      if (list.sources[i].extra[c] == *o.holdout_value) parts[i] = Part::kTest, ++n;
    if (n == 0) throw Error(ErrorCode::kInvalidArgument, "holdout", "no row has " + *o.holdout_column + "=" + *o.holdout_value);
    d.split = "held out: " + *o.holdout_column + "=" + *o.holdout_value;
  } else if (o.split_column || list.split_column) {
    const std::size_t c = o.split_column ? column(*o.split_column) : *list.split_column;
    d.split = "split column '" + list.extra_columns[c] + "'";
    for (std::size_t i = 0; i < parts.size(); ++i) {
      const std::string v = lower(list.sources[i].extra[c]);
      if (v == "test") parts[i] = Part::kTest;
      else if (v == "val" || v == "valid" || v == "validation") parts[i] = Part::kVal, d.has_val_split = true;
      else if (v != "train")
        throw Error(ErrorCode::kInvalidData, "split_column",
                    list.sources[i].name + ": split '" + list.sources[i].extra[c] + "' is not one of train, val, test");
    }
  } else {  // deterministic stratified 80/20: every fifth clip of each label, in listing order
    d.split = "stratified 80/20: every fifth clip of each label is a test clip";
    std::map<std::string, std::size_t> seen;
    for (std::size_t i = 0; i < parts.size(); ++i)
      if (seen[list.sources[i].label]++ % 5 == 4) parts[i] = Part::kTest;
  }
  // Groups: the group column's values, or each source (its segments together).
  std::vector<std::size_t> group_of(list.sources.size());
  {
    std::map<std::string, std::size_t> ids;
    constexpr std::size_t kEachSource = static_cast<std::size_t>(-1);
    const std::size_t gc = o.group_column ? column(*o.group_column, "group_column") : kEachSource;
    for (std::size_t i = 0; i < list.sources.size(); ++i) {
      const std::string name = gc != kEachSource ? list.sources[i].extra[gc] : list.sources[i].name;
      const auto [it, added] = ids.emplace(name, d.group_names.size());
      if (added) d.group_names.push_back(name);
      group_of[i] = it->second;
    }
  }
  detail::Sha256 listing;
  for (std::size_t i = 0; i < list.sources.size(); ++i)
    listing.update(list.sources[i].name + "," + list.sources[i].label + "," + part_name(parts[i]) + "\n");
  d.sha256 = listing.hex_digest();
  std::set<std::string> labels;
  for (const auto& s : list.sources) labels.insert(s.label);
  d.classes.assign(labels.begin(), labels.end());
  std::map<std::string, int> index;
  for (std::size_t c = 0; c < d.classes.size(); ++c) index[d.classes[c]] = static_cast<int>(c);

  for (std::size_t i = 0; i < list.sources.size(); ++i) {
    const auto& src = list.sources[i];
    Audio a = load_audio(src.path, {.sample_rate = o.features.sample_rate});  // a broken file stops the experiment: results need every row
    if (d.sample_rate == 0) d.sample_rate = a.sample_rate;
    if (a.sample_rate != d.sample_rate)
      throw Error(ErrorCode::kInvalidData, "sr",
                  src.name + " is at " + num(a.sample_rate) + " Hz, other clips at " + num(d.sample_rate) + " Hz: set sr");
    for (auto& [start, y] : cut_clip(o.features, a.samples, a.sample_rate))  // the pipeline's cutting, exactly
      d.rows.push_back({i, group_of[i], index[src.label], parts[i], std::move(y)});
  }
  return d;
}

// A method's spectrogram options: PCEN works on the linear magnitude.
bool is_pcen(const NormalizeOptions& n) { return n.method == "pcen"; }

std::string method_label(const NormalizeOptions& n) {
  if (n.method == "none") return "none";
  return n.method + ":" + to_string(n.scope) + (n.axis == Axis::kAll ? "" : ":" + to_string(n.axis));
}

// Spectrograms of `rows` under `condition`. With click_fraction > 0, that
// share of the rows (chosen by a hash of the row, so the same in every run)
// gets one full-scale click first: training-time augmentation.
detail::FeatureSet features_of(const Pipeline& features, const Dataset& d, const std::vector<std::size_t>& rows,
                               const Condition& condition, double click_fraction = 0.0,
                               std::size_t* clicked_rows = nullptr) {
  detail::FeatureSet f;
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const Row& r = d.rows[rows[k]];
    const std::uint64_t row_seed = 0x9E3779B97F4A7C15ull ^ rows[k];
    Condition c = condition;
    if (c.kind == Condition::Kind::kClean && click_fraction > 0 &&
        static_cast<double>(std::mt19937_64(row_seed * 31 + 7)() % 1000000) < click_fraction * 1e6) {
      c.kind = Condition::Kind::kClick;
      if (clicked_rows) ++*clicked_rows;
    }
    const std::vector<float> perturbed = c.kind == Condition::Kind::kClean ? std::vector<float>{} : detail::perturb(r.samples, c, row_seed);
    const Matrix m = std::move(
        features.run_unnormalized(c.kind == Condition::Kind::kClean ? r.samples : perturbed, d.sample_rate).front().features);
    if (k == 0) f.F = m.rows, f.T = m.cols, f.x.reserve(rows.size() * m.data.size());
    f.x.insert(f.x.end(), m.data.begin(), m.data.end());
    f.y.push_back(r.label);
  }
  return f;
}

// An arm's features: the experiment's options at the clips' rate (rows are
// already cut), with its dB variant, or PCEN's input (the schema's rule:
// normalize=pcen implies power 1, no dB).
PipelineOptions arm_features(const ExperimentOptions& o, int rate, const DbOptions* db) {
  OptionValues v = option_values(o.features);
  for (const char* cut : {"pad_to", "segment", "segment_hop"}) v.erase(cut);
  v["sr"] = num(rate);
  if (db) {
    v["db"] = db_ref_name(*db);
    v["db_floor"] = to_string(db->floor);
  } else {
    v.erase("power"), v.erase("db");
    v["normalize"] = "pcen";
  }
  PipelineOptions arm = resolve_pipeline_options(v);
  arm.normalize.reset();  // the arm normalizes whole feature sets itself (global statistics of the train rows)
  return arm;
}

void normalize_in_place(detail::FeatureSet& f, const Normalizer* n) {
  if (n && f.size()) n->apply(BatchView{f.x.data(), f.size(), f.F, f.T});
}

struct RunRecord {
  std::string method, scope, axis, db_ref, db_floor, bn_axis;
  int seed = 0;
  std::string config;       // method label + bn
  std::string condition, level;
  detail::Scores scores;
  int epochs = 0;
  double train_seconds = 0.0;
};

std::string csv_escape(const std::string& s) { return detail::csv_field(s); }

void write_text(const fs::path& path, const std::string& text) {
  detail::AtomicFile f(path);
  f.write(text.data(), text.size());
  f.commit();
}

void write_results_csv(const fs::path& path, const std::vector<RunRecord>& records) {
  std::ostringstream out;
  out << "method,scope,axis,db_ref,db_floor,bn_axis,seed,condition,level,accuracy,macro_f1,epochs,train_seconds\n";
  char buf[64];
  for (const auto& r : records) {
    out << csv_escape(r.method) << ',' << r.scope << ',' << r.axis << ',' << r.db_ref << ',' << r.db_floor << ','
        << r.bn_axis << ',' << r.seed << ','
        << r.condition << ',' << r.level << ',';
    std::snprintf(buf, sizeof buf, "%.4f,%.4f,%d,%.2f\n", r.scores.accuracy, r.scores.macro_f1, r.epochs, r.train_seconds);
    out << buf;
  }
  write_text(path, out.str());
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

// The split's own val rows are used as given; a group on both sides is said, not silently kept.
void warn_shared_groups(const Dataset& d, const std::vector<std::size_t>& train_rows, const std::vector<std::size_t>& val_rows,
                        const std::string& column) {
  std::set<std::size_t> train_groups, shared;
  for (std::size_t i : train_rows) train_groups.insert(d.rows[i].group);
  for (std::size_t i : val_rows)
    if (train_groups.count(d.rows[i].group)) shared.insert(d.rows[i].group);
  if (shared.empty()) return;
  warn("group_column '" + column + "': " + num(shared.size()) + " groups have rows in both the split's train and val rows (" +
       column + "=" + d.group_names[*shared.begin()] + ", ...): validation accuracy will flatter the model");
}

// Which validation picked the best epoch, in words (results.md, model.json).
std::string validation_text(const ExperimentOptions& o, const Dataset& d) {
  if (d.has_val_split) return "the split's val rows";
  if (o.train.val_fraction == 0) return "none (the last epoch is kept)";
  const std::string part = num(o.train.val_fraction) + " of the train rows";
  if (o.group_column)
    return part + " in whole '" + *o.group_column + "' groups (no group on both sides), stratified by label as far as the groups allow, drawn with the seed";
  if (o.features.segment) return part + " in whole clips (a clip's segments on one side), stratified by label, drawn with the seed";
  return part + ", stratified by label, drawn with the seed";
}

// model.json's fields that are the same for every run of the experiment.
ModelRecord base_record(const ExperimentOptions& o, const Dataset& d, std::size_t test_rows) {
  ModelRecord r;
  r.classes = d.classes;
  r.blocks = o.model.blocks, r.channels = o.model.channels, r.max_channels = o.model.max_channels;
  r.data = o.data.string();
  if (o.labels) r.labels = o.labels->string(), r.labels_sha256 = detail::sha256_file(*o.labels);
  r.data_sha256 = d.sha256;
  r.split = d.split + "; validation: " + validation_text(o, d);
  r.epochs = o.train.epochs;
  r.test_rows = test_rows;
  r.level = o.features.segment ? "track" : "clip";
  return r;
}

std::string pct(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", 100 * v);
  return buf;
}

}  // namespace

ExperimentSummary run_experiment(const ExperimentOptions& options,
                                 const std::function<void(const ExperimentProgress&)>& progress) {
  const auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  ExperimentOptions o = options;
  o.validate();
  for (const auto& m : o.methods) {
    if (m.method == "none") continue;
    if (is_pcen(m) && m.scope == Scope::kGlobal) throw_invalid_argument("methods", "pcen is a local method (no :global)");
  }
  ExperimentProgress prog;
  prog.phase = "features";
  if (progress) progress(prog);
  Dataset d = load_dataset(o);
  if (d.classes.size() < 2) throw Error(ErrorCode::kInvalidData, "labels", "need at least 2 labels, found " + num(d.classes.size()));
  std::vector<std::size_t> train_rows, fixed_val_rows, test_rows;
  for (std::size_t i = 0; i < d.rows.size(); ++i)
    (d.rows[i].part == Part::kTest ? test_rows : d.rows[i].part == Part::kVal ? fixed_val_rows : train_rows).push_back(i);
  if (test_rows.empty()) throw Error(ErrorCode::kInvalidData, "split_column", "the split has no test rows");
  if (train_rows.empty()) throw Error(ErrorCode::kInvalidData, "split_column", "the split has no train rows");
  if (o.group_column && !fixed_val_rows.empty()) warn_shared_groups(d, train_rows, fixed_val_rows, *o.group_column);

  std::vector<Condition> conditions = {{}};
  for (double g : o.eval_gains_db) conditions.push_back({Condition::Kind::kGain, g});
  if (o.eval_bits)
    for (double g : o.eval_gains_db) conditions.push_back({Condition::Kind::kGain, g, *o.eval_bits});
  if (o.eval_click) conditions.push_back({Condition::Kind::kClick, 0});
  if (o.eval_noise_snr_db) conditions.push_back({Condition::Kind::kNoise, *o.eval_noise_snr_db});

  // The grid's arms: each method with each dB variant (PCEN, on the magnitude, once).
  const bool vary_db = !o.db_refs.empty() || !o.db_floors.empty();
  std::vector<DbOptions> db_variants;
  for (const auto& ref : o.db_refs.empty() ? std::vector<std::string>{db_ref_name(o.features.mel.db)} : o.db_refs)
    for (DbFloor floor : o.db_floors.empty() ? std::vector<DbFloor>{o.features.mel.db.floor} : o.db_floors) {
      DbOptions v = o.features.mel.db;
      if (v.enabled) parse_db_ref(ref, v);
      v.floor = floor;
      db_variants.push_back(v);
    }
  struct Arm {
    NormalizeOptions method;
    std::optional<std::size_t> db;  // index into db_variants; none for PCEN
  };
  std::vector<Arm> arms;
  for (const auto& m : o.methods) {
    if (is_pcen(m)) arms.push_back({m, std::nullopt});
    else
      for (std::size_t v = 0; v < db_variants.size(); ++v) arms.push_back({m, v});
  }

  // Spectrograms per feature kind (a dB variant, or PCEN's magnitude): train/val clean, test per condition.
  struct Kind {
    detail::FeatureSet train, val_fixed;
    std::vector<detail::FeatureSet> test;  // per condition
  };
  std::map<std::optional<std::size_t>, Kind> kinds;
  std::size_t train_click_rows = 0;
  for (const auto& arm : arms) {
    if (kinds.count(arm.db)) continue;
    const Pipeline mel(arm_features(o, d.sample_rate, arm.db ? &db_variants[*arm.db] : nullptr));
    Kind k;
    train_click_rows = 0;  // the same rows for every feature kind
    k.train = features_of(mel, d, train_rows, {}, o.train_click_fraction, &train_click_rows);
    k.val_fixed = features_of(mel, d, fixed_val_rows, {});
    for (const auto& c : conditions) k.test.push_back(features_of(mel, d, test_rows, c));
    kinds.emplace(arm.db, std::move(k));
  }

  std::vector<RunRecord> records;
  std::map<std::string, std::vector<std::vector<std::size_t>>> confusion_sum;  // config -> clean confusion over seeds
  const std::size_t runs = arms.size() * o.bn_axes.size() * o.seeds.size();
  prog.runs = runs;
  std::error_code ec;
  fs::create_directories(o.out_dir, ec);
  if (ec) throw Error(ErrorCode::kIo, "out_dir", o.out_dir.string() + ": cannot create: " + ec.message());
  ExperimentSummary summary;
  std::string best_saved;      // the saved run with the best validation accuracy (the first of equals)
  double best_saved_val = -1.0;
  summary.train_click_rows = train_click_rows;
  summary.runs = runs;
  summary.test_rows = test_rows.size();

  for (const auto& [method, db_index] : arms) {
    const Kind& kind = kinds.at(db_index);
    const std::string db_ref = db_index && db_variants[*db_index].enabled ? db_ref_name(db_variants[*db_index]) : "";
    const std::string db_floor = db_ref.empty() ? "" : to_string(db_variants[*db_index].floor);
    const std::string arm_label = method_label(method) + (vary_db && !db_ref.empty() ? " db=" + db_ref + "/" + db_floor : "");
    std::optional<Normalizer> norm;
    std::optional<Stats> stats;
    PipelineOptions with_method = arm_features(o, d.sample_rate, db_index ? &db_variants[*db_index] : nullptr);
    if (method.method != "none") {
      with_method.normalize = method;
      if (is_pcen(method)) with_method.normalize->params.try_emplace("input_scale", 2147483648.0);  // as the schema resolves pcen
      const NormalizeOptions n = normalization_at(with_method, d.sample_rate);
      if (n.scope == Scope::kGlobal) {  // the training rows' statistics only, never the test rows'
        stats.emplace(kind.train.F);
        for (const auto* set : {&kind.train, &kind.val_fixed})
          for (std::size_t i = 0; i < set->size(); ++i) stats->update(set->x.data() + i * set->F * set->T, set->F, set->T);
      }
      norm.emplace(n, stats ? &*stats : nullptr);
    }
    detail::FeatureSet train_all = kind.train, val_fixed = kind.val_fixed;
    normalize_in_place(train_all, norm ? &*norm : nullptr);
    normalize_in_place(val_fixed, norm ? &*norm : nullptr);
    std::vector<detail::FeatureSet> tests = kind.test;
    for (auto& t : tests) normalize_in_place(t, norm ? &*norm : nullptr);

    for (BnAxis bn : o.bn_axes) {
      for (int seed : o.seeds) {
        ++prog.run;
        // Validation rows: the split's, or a stratified part of the train rows drawn with the seed.
        detail::FeatureSet train, val;
        train.F = val.F = train_all.F, train.T = val.T = train_all.T;
        const std::size_t per = train_all.F * train_all.T;
        if (!fixed_val_rows.empty() || o.train.val_fraction == 0) {
          train = train_all;
          val = val_fixed;
        } else {
          std::vector<std::size_t> groups(train_rows.size());
          for (std::size_t i = 0; i < train_rows.size(); ++i) groups[i] = d.rows[train_rows[i]].group;
          const std::vector<bool> is_val =
              detail::validation_split(train_all.y, groups, o.train.val_fraction, static_cast<std::uint64_t>(seed));
          for (std::size_t i = 0; i < train_all.size(); ++i) {
            auto& dst = is_val[i] ? val : train;
            dst.x.insert(dst.x.end(), train_all.x.begin() + static_cast<std::ptrdiff_t>(i * per),
                         train_all.x.begin() + static_cast<std::ptrdiff_t>((i + 1) * per));
            dst.y.push_back(train_all.y[i]);
          }
        }
        summary.train_rows = train.size(), summary.val_rows = val.size();
        ModelOptions model = o.model;
        model.bn_axis = bn;
        const std::string config = arm_label + " bn=" + to_string(bn);
        prog.config = config + " seed=" + num(seed);
        prog.phase = "train";
        prog.epochs = o.train.epochs;
        const auto tr0 = std::chrono::steady_clock::now();
        std::vector<double> val_by_epoch;
        auto clf = detail::train_classifier(model, o.train, seed, train, val, static_cast<int>(d.classes.size()),
                                            [&](const detail::EpochReport& r) {
                                              val_by_epoch.push_back(r.val_accuracy);
                                              prog.epoch = r.epoch;
                                              prog.val_accuracy = r.val_accuracy;
                                              prog.seconds = elapsed();
                                              if (progress) progress(prog);
                                            });
        const double train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - tr0).count();
        const std::size_t first_record = records.size();
        for (std::size_t c = 0; c < conditions.size(); ++c) {
          const auto& t = tests[c];
          const auto logits = clf->logits(t.x.data(), t.size());
          const int K = clf->n_classes();
          const bool segmented = o.features.segment.has_value();
          RunRecord rec{.method = method.method, .scope = method.method == "none" ? "" : to_string(method.scope),
                        .axis = method.method == "none" ? "" : to_string(method.axis), .db_ref = db_ref,
                        .db_floor = db_floor, .bn_axis = to_string(bn),
                        .seed = seed, .config = config, .condition = conditions[c].name(),
                        .level = segmented ? "segment" : "clip", .scores = {}, .epochs = clf->best_epoch(),
                        .train_seconds = train_seconds};
          rec.scores = detail::score(t.y, detail::argmax_rows(logits, t.size(), K), K);
          records.push_back(rec);
          if (segmented) {  // a track's prediction: the mean of its segments' logits
            std::map<std::size_t, std::pair<std::vector<double>, int>> tracks;
            for (std::size_t i = 0; i < t.size(); ++i) {
              auto& [sum, label] = tracks[d.rows[test_rows[i]].source];
              sum.resize(static_cast<std::size_t>(K), 0.0);
              for (int k = 0; k < K; ++k) sum[static_cast<std::size_t>(k)] += logits[i * static_cast<std::size_t>(K) + static_cast<std::size_t>(k)];
              label = t.y[i];
            }
            std::vector<int> truth, pred;
            for (const auto& [src, v] : tracks) {
              truth.push_back(v.second);
              pred.push_back(static_cast<int>(std::max_element(v.first.begin(), v.first.end()) - v.first.begin()));
            }
            rec.level = "track";
            rec.scores = detail::score(truth, pred, K);
            records.push_back(rec);
          }
          if (c == 0) {
            auto& sum = confusion_sum[config];
            const auto& conf = records[records.size() - (segmented ? 2 : 1)].scores.confusion;
            if (sum.empty()) sum = conf;
            else
              for (std::size_t i = 0; i < conf.size(); ++i)
                for (std::size_t j = 0; j < conf.size(); ++j) sum[i][j] += conf[i][j];
          }
        }
        write_results_csv(o.out_dir / "results.csv", records);  // after every run: an interruption keeps what is done
        if (o.save_model || o.save_models) {
          ModelRecord rec = base_record(o, d, test_rows.size());
          rec.n_mels = train.F, rec.frames = train.T;
          rec.config = config, rec.bn_axis = to_string(bn), rec.seed = seed, rec.best_epoch = clf->best_epoch();
          rec.train_rows = train.size(), rec.val_rows = val.size();
          if (val.size() > 0) rec.val_accuracy = val_by_epoch.at(static_cast<std::size_t>(rec.best_epoch - 1));
          for (std::size_t k = first_record; k < records.size(); ++k)
            if (records[k].condition == "clean" && records[k].level == rec.level) rec.test_accuracy = records[k].scores.accuracy;
          const std::string name = detail::run_folder_name(config, seed);
          detail::save_model_dir(o.save_model ? *o.save_model : *o.save_models / name, *clf,
                                 served_pipeline(with_method, o, stats), rec);
          const double v = std::isnan(rec.val_accuracy) ? -1.0 : rec.val_accuracy;
          if (best_saved.empty() || v > best_saved_val) best_saved = name, best_saved_val = v;
        }
      }
    }
  }

  if (o.save_models) detail::point_best(*o.save_models, best_saved);

  // Aggregate over seeds: config x condition x level -> values.
  std::vector<std::string> configs;
  for (const auto& r : records)
    if (std::find(configs.begin(), configs.end(), r.config) == configs.end()) configs.push_back(r.config);
  std::vector<std::string> levels = o.features.segment ? std::vector<std::string>{"segment", "track"} : std::vector<std::string>{"clip"};
  auto values = [&](const std::string& config, const std::string& cond, const std::string& level, bool f1) {
    std::vector<double> v;
    for (const auto& r : records)
      if (r.config == config && r.condition == cond && r.level == level) v.push_back(f1 ? r.scores.macro_f1 : r.scores.accuracy);
    return v;
  };
  const std::string main_level = o.features.segment ? "track" : "clip";
  for (const auto& c : configs) {
    const double m = detail::mean_ci95(values(c, "clean", main_level, false)).mean;
    if (summary.best_config.empty() || m > summary.best_clean_accuracy) summary.best_config = c, summary.best_clean_accuracy = m;
  }

  std::ostringstream md;
  md << "# Experiment results\n\n";
  md << "Data: `" << o.data.string() << "`" << (o.labels ? " with labels `" + o.labels->string() + "`" : "") << "; "
     << d.classes.size() << " classes; rows: " << summary.train_rows << " train, " << summary.val_rows << " validation, "
     << test_rows.size() << " test";
  if (o.holdout_column) md << " (held out: " << *o.holdout_column << " = " << *o.holdout_value << ")";
  md << ". Validation (picks the best epoch): " << validation_text(o, d) << ". Model: " << o.model.blocks << " blocks of Conv2d 3x3 -> BatchNorm -> ReLU -> MaxPool, " << o.model.channels
     << " to " << o.model.max_channels << " channels; Adam lr " << num(o.train.learning_rate) << ", batch "
     << o.train.batch_size << ", " << o.train.epochs << " epochs, the epoch with the best validation accuracy kept. ";
  if (o.train_click_fraction > 0)
    md << "Training augmentation: " << pct(o.train_click_fraction) << "% of the training rows (" << summary.train_click_rows
       << " of " << train_rows.size() << ", a validation part drawn from them included) carry one full-scale click. ";
  md << "Seeds: ";
  for (std::size_t i = 0; i < o.seeds.size(); ++i) md << (i ? ", " : "") << o.seeds[i];
  md << ".\n\nEach cell: mean ± half-width of the 95% confidence interval over the seeds (Student's t), in %, "
        "and the standard deviation over the seeds. "
        "**Bold**: the best mean of the column. *≈*: its interval overlaps the best's, so the difference from the "
        "best is within noise.\n";
  for (const auto& level : levels) {
    for (bool f1 : {false, true}) {
      md << "\n## " << (f1 ? "Macro-F1" : "Accuracy") << (levels.size() > 1 ? " (" + level + " level)" : "") << "\n\n";
      md << "| normalization |" << (vary_db ? " dB ref / floor |" : "") << " BatchNorm axis |";
      for (const auto& c : conditions) md << ' ' << c.name() << " |";
      md << "\n| --- | --- |" << (vary_db ? " --- |" : "");
      for (std::size_t i = 0; i < conditions.size(); ++i) md << " --- |";
      md << '\n';
      std::vector<detail::Interval> best(conditions.size());
      for (std::size_t ci = 0; ci < conditions.size(); ++ci)
        for (const auto& c : configs) {
          const auto iv = detail::mean_ci95(values(c, conditions[ci].name(), level, f1));
          if (iv.n && (best[ci].n == 0 || iv.mean > best[ci].mean)) best[ci] = iv;
        }
      for (const auto& c : configs) {
        const auto bn_at = c.find(" bn="), db_at = c.find(" db=");
        md << "| " << c.substr(0, std::min(bn_at, db_at)) << " |";
        if (vary_db) md << ' ' << (db_at < bn_at ? c.substr(db_at + 4, bn_at - db_at - 4) : std::string("–")) << " |";
        md << ' ' << c.substr(bn_at + 4) << " |";
        for (std::size_t ci = 0; ci < conditions.size(); ++ci) {
          const auto iv = detail::mean_ci95(values(c, conditions[ci].name(), level, f1));
          std::string cell = pct(iv.mean) + " ± " + pct(iv.half_width);
          if (iv.n > 1) cell += " (sd " + pct(iv.sd) + ")";
          if (iv.mean == best[ci].mean) cell = "**" + cell + "**";
          else if (iv.n > 1 && iv.high() >= best[ci].low()) cell = "≈ " + cell;
          md << ' ' << cell << " |";
        }
        md << '\n';
      }
    }
  }
  md << "\nBest clean " << (o.features.segment ? "track " : "") << "accuracy: " << summary.best_config << " ("
     << pct(summary.best_clean_accuracy) << "%). Per-run numbers: `results.csv`.\n";
  write_text(o.out_dir / "results.md", md.str());

  if (!o.eval_gains_db.empty()) {
    LineChart chart{.title = "Test accuracy vs gain of the test audio (mean over seeds)",
                    .x_label = "gain applied to the test waveform (dB; clipped to [-1, 1])",
                    .y_label = "accuracy (%)", .series = {}, .y_min = 0.0, .y_max = 100.0};
    // One curve per configuration, and one per configuration for the re-quantized gains.
    for (const int bits : o.eval_bits ? std::vector<int>{0, *o.eval_bits} : std::vector<int>{0}) {
      std::vector<std::pair<double, std::string>> points = {{0.0, "clean"}};
      for (std::size_t ci = 1; ci < conditions.size(); ++ci)
        if (conditions[ci].kind == Condition::Kind::kGain && conditions[ci].bits == bits)
          points.push_back({conditions[ci].value, conditions[ci].name()});
      std::sort(points.begin(), points.end());
      for (const auto& c : configs) {
        LineSeries s{.label = bits ? c + " PCM" + num(bits) : c, .x = {}, .y = {}};
        for (const auto& [g, name] : points) {
          s.x.push_back(g);
          s.y.push_back(100 * detail::mean_ci95(values(c, name, main_level, false)).mean);
        }
        chart.series.push_back(std::move(s));
      }
    }
    render_line_chart(o.out_dir / "accuracy_vs_gain.png", chart);
  }
  render_confusion(o.out_dir / "confusion.png", confusion_sum.at(summary.best_config), d.classes,
                   "Confusion, clean test set: " + summary.best_config + " (all seeds)");
  summary.seconds = elapsed();
  prog.phase = "done";
  prog.seconds = summary.seconds;
  if (progress) progress(prog);
  return summary;
}

}  // namespace melnorm
