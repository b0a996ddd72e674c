// An OUTDIR of melnorm extract as the experiment's data: its features, labels,
// split and columns, read through the library's OutdirReader, trained on
// without recomputing them. The OUTDIR's pipeline becomes the experiment's
// features, so a saved model computes the same features from audio.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>

#include "core/format.h"
#include "experiment/dataset.h"
#include "experiment/grid.h"
#include "melnorm/error.h"
#include "melnorm/extract.h"

namespace melnorm::detail {

namespace fs = std::filesystem;

bool is_outdir(const fs::path& data) {
  std::error_code ec;
  return fs::is_directory(data, ec) && fs::exists(data / "options.json", ec) && fs::exists(data / "manifest.csv", ec);
}

namespace {

// The audio an OUTDIR was made from (options.json's input), for advice.
std::string outdir_input(const OutdirReader& r) {
  const auto record = nlohmann::json::parse(r.options_json(), nullptr, false);
  if (record.is_object() && record.contains("input") && record["input"].is_string())
    return record["input"].get<std::string>();
  return "the folder or list extract read";
}

[[noreturn]] void needs_audio(const OutdirReader& r, const std::string& param, const std::string& what) {
  throw Error(ErrorCode::kInvalidArgument, param,
              r.out_dir().string() + " holds features, not audio: " + what + " needs the audio. Give " +
                  param_text("data", outdir_input(r)) +
                  " (the audio this OUTDIR was made from) to run it, or leave out " + param_text(param));
}

void refuse_what_needs_audio(const ExperimentOptions& o, const OutdirReader& r) {
  if (!o.eval_gains_db.empty()) needs_audio(r, "eval_gain", "a gain-shifted test condition");
  if (o.eval_click) needs_audio(r, "eval_click", "a test condition with a click");
  if (o.eval_noise_snr_db) needs_audio(r, "eval_noise", "a noisy test condition");
  if (o.train_click_fraction > 0) needs_audio(r, "train_click", "a click in training clips");
  for (const auto& a : o.train_augmentations)
    if (a.enabled())
      needs_audio(r, a.gain_db ? "gain_db" : a.bits ? "bits" : "noise_snr_db", "perturbing the training clips");
}

// Feature options the user gave beside an OUTDIR: the features are the OUTDIR's.
void refuse_feature_options(const ExperimentOptions& o, const OutdirReader& r, const PipelineOptions& outdir) {
  const OptionValues given = option_values(o.features), defaults = option_values(resolve_pipeline_options({}));
  const OptionValues have = option_values(outdir);
  for (const auto& [name, value] : given) {
    const auto d = defaults.find(name);
    if (d != defaults.end() && d->second == value) continue;
    const auto h = have.find(name);
    throw Error(ErrorCode::kInvalidArgument, name,
                "the features come from " + (r.out_dir() / "options.json").string() +
                    (h != have.end() ? " (" + param_text(name, h->second) + ")" : std::string()) + ": leave out " +
                    param_text(name, value) + " with an OUTDIR as " + param_text("data") +
                    ", or extract again with it");
  }
  if (!o.db_refs.empty() || !o.db_floors.empty())
    throw Error(ErrorCode::kInvalidArgument, o.db_refs.empty() ? "db_floors" : "db_refs",
                "dB variants change the features, and an OUTDIR holds one kind: extract an OUTDIR per variant, or "
                "give the audio as " +
                    param_text("data", outdir_input(r)));
  for (const auto& m : o.methods)
    if (works_on_magnitude(m))
      throw Error(ErrorCode::kInvalidArgument, "methods",
                  m.method +
                      " works on the linear magnitude, which an OUTDIR of log features does not hold: extract "
                      "with " +
                      param_text("normalize", m.method) + " or give the audio as " +
                      param_text("data", outdir_input(r)));
  if (o.labels)
    throw Error(ErrorCode::kInvalidArgument, "labels",
                "the labels come from " + (r.out_dir() / "manifest.csv").string() + ": leave out " +
                    param_text("labels") + " with an OUTDIR as " + param_text("data"));
}

}  // namespace

void adopt_outdir_features(ExperimentOptions& o) {
  const OutdirReader r(o.data);
  const PipelineOptions outdir = r.pipeline_options();
  refuse_what_needs_audio(o, r);
  refuse_feature_options(o, r, outdir);
  if (outdir.normalize)
    throw Error(ErrorCode::kInvalidArgument, "data",
                r.out_dir().string() + "'s features are normalized (" +
                    param_text("normalize", outdir.normalize->method) +
                    "); an experiment compares normalizations of unnormalized features: extract without " +
                    param_text("normalize"));
  if (!outdir.pad_to && !outdir.segment && !outdir.target_frames)
    throw Error(ErrorCode::kInvalidArgument, "data",
                r.out_dir().string() + "'s rows keep their clips' lengths; the CNN needs one size: extract with " +
                    param_text("pad_to") + " or " + param_text("segment"));
  o.features = outdir;
}

namespace {

// The manifest as a list of sources (the first row of each, in order) with
// the labels CSV's columns extract copied, and each row's source index.
SourceList manifest_sources(const OutdirReader& r, std::vector<std::size_t>& source_of_row) {
  static const char* kOwn[] = {"source", "label", "offset", "output", "n_frames", "status", "error"};
  const auto& cols = r.columns();
  std::vector<std::size_t> extra;
  std::size_t source = cols.size(), label = cols.size();
  for (std::size_t c = 0; c < cols.size(); ++c) {
    if (cols[c] == "source") source = c;
    if (cols[c] == "label") label = c;
    if (std::find(std::begin(kOwn), std::end(kOwn), cols[c]) == std::end(kOwn)) extra.push_back(c);
  }
  if (source == cols.size() || label == cols.size())
    throw Error(ErrorCode::kInvalidData, "data", r.out_dir().string() + "/manifest.csv has no source or label column");
  SourceList list;
  for (std::size_t c : extra) {
    if (cols[c] == "split") list.split_column = list.extra_columns.size();
    list.extra_columns.push_back(cols[c]);
  }
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < r.size(); ++i) {
    const auto& row = r.row(i);
    const auto [it, added] = index.emplace(row[source], list.sources.size());
    if (added) {
      Source s{.name = row[source], .path = row[source], .label = row[label], .extra = {}};
      for (std::size_t c : extra) s.extra.push_back(row[c]);
      if (s.label.empty())
        throw Error(ErrorCode::kInvalidData, "data",
                    r.out_dir().string() + ": " + s.name +
                        " has no label; extract with a labels CSV or from labelled folders to train on it");
      list.sources.push_back(std::move(s));
    }
    source_of_row.push_back(it->second);
  }
  return list;
}

// Row i's features as [bins, frames], whatever the OUTDIR's layout.
Matrix bins_first(Matrix m, Layout layout) {
  if (layout == Layout::kBinsFirst) return m;
  Matrix t(m.cols, m.rows);
  for (std::size_t i = 0; i < m.rows; ++i)
    for (std::size_t j = 0; j < m.cols; ++j) t(j, i) = m(i, j);
  return t;
}

}  // namespace

Dataset load_outdir_dataset(const ExperimentOptions& o) {
  const OutdirReader r(o.data);
  std::vector<std::size_t> source_of_row;
  const SourceList list = manifest_sources(r, source_of_row);
  Dataset d;
  d.extracted = true;
  d.sample_rate = o.features.sample_rate.value_or(0);
  const std::vector<Part> parts = assign_parts(o, list, d);
  const std::vector<std::size_t> group_of = assign_groups(o, list, d);
  set_classes(list, parts, d);
  std::size_t failed = 0;
  for (std::size_t i = 0; i < r.size(); ++i) {
    if (!r.ok(i)) {
      ++failed;
      continue;
    }
    const std::size_t s = source_of_row[i];
    Matrix m = bins_first(r.features(i), o.features.layout);
    if (!d.rows.empty() && (m.rows != d.rows.front().features.rows || m.cols != d.rows.front().features.cols))
      throw Error(ErrorCode::kInvalidData, "data",
                  r.out_dir().string() + ": row " + num(i) + " (" + list.sources[s].name + ") is " + num(m.rows) + "x" +
                      num(m.cols) + ", the first " + num(d.rows.front().features.rows) + "x" +
                      num(d.rows.front().features.cols) + "; the CNN needs one size");
    d.rows.push_back({s, group_of[s], class_index(d, list.sources[s].label), parts[s], {}, std::move(m)});
  }
  if (failed)
    warn(num(failed) + " of " + num(r.size()) + " rows of " + r.out_dir().string() +
         " failed at extraction (status failed in manifest.csv): left out");
  return d;
}

}  // namespace melnorm::detail
