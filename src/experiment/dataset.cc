#include "experiment/dataset.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <filesystem>
#include <map>
#include <set>

#include "core/format.h"
#include "core/sha256.h"
#include "dataset/sources.h"
#include "io/limits.h"
#include "io/text_file.h"
#include "melnorm/audio.h"
#include "melnorm/error.h"
#include "melnorm/pipeline.h"

namespace melnorm::detail {

namespace fs = std::filesystem;

namespace {

const char* part_name(Part p) { return p == Part::kTest ? "test" : p == Part::kVal ? "val" : "train"; }

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The index of a column after path,label; throws Error(param) listing the columns there are.
std::size_t column_index(const SourceList& list, const std::string& name, const char* param = "split_column") {
  for (std::size_t c = 0; c < list.extra_columns.size(); ++c)
    if (list.extra_columns[c] == name) return c;
  std::string have;
  for (const auto& c : list.extra_columns) have += (have.empty() ? "" : ", ") + c;
  throw Error(
      ErrorCode::kInvalidArgument, param,
      "no column '" + name + "' in the labels (columns after path,label: " + (have.empty() ? "none" : have) + ")");
}

}  // namespace

// Each source's part: held out by a column's value, the split column's, or
// a deterministic stratified 80/20. Sets d.split (and d.has_val_split).
std::vector<Part> assign_parts(const ExperimentOptions& o, const SourceList& list, Dataset& d) {
  std::vector<Part> parts(list.sources.size(), Part::kTrain);
  if (o.holdout_column) {
    const std::size_t c = column_index(list, *o.holdout_column);
    std::size_t n = 0;
    for (std::size_t i = 0; i < parts.size(); ++i)
      if (list.sources[i].extra[c] == *o.holdout_value) parts[i] = Part::kTest, ++n;
    if (n == 0)
      throw Error(ErrorCode::kInvalidArgument, "holdout", "no row has " + *o.holdout_column + "=" + *o.holdout_value);
    d.split = "held out: " + *o.holdout_column + "=" + *o.holdout_value;
  } else if (o.split_column || list.split_column) {
    const std::size_t c = o.split_column ? column_index(list, *o.split_column) : *list.split_column;
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
  return parts;
}

// Each source's group: the group column's value, or the source itself (its
// segments together). Sets d.group_names.
std::vector<std::size_t> assign_groups(const ExperimentOptions& o, const SourceList& list, Dataset& d) {
  std::vector<std::size_t> group_of(list.sources.size());
  std::map<std::string, std::size_t> ids;
  constexpr std::size_t kEachSource = static_cast<std::size_t>(-1);
  const std::size_t gc = o.group_column ? column_index(list, *o.group_column, "group_column") : kEachSource;
  for (std::size_t i = 0; i < list.sources.size(); ++i) {
    const std::string name = gc != kEachSource ? list.sources[i].extra[gc] : list.sources[i].name;
    const auto [it, added] = ids.emplace(name, d.group_names.size());
    if (added) d.group_names.push_back(name);
    group_of[i] = it->second;
  }
  return group_of;
}

void set_classes(const SourceList& list, const std::vector<Part>& parts, Dataset& d) {
  Sha256 listing;
  for (std::size_t i = 0; i < list.sources.size(); ++i)
    listing.update(list.sources[i].name + "," + list.sources[i].label + "," + part_name(parts[i]) + "\n");
  d.sha256 = listing.hex_digest();
  std::set<std::string> labels;
  for (const auto& s : list.sources) labels.insert(s.label);
  d.classes.assign(labels.begin(), labels.end());
}

int class_index(const Dataset& d, const std::string& label) {
  return static_cast<int>(std::lower_bound(d.classes.begin(), d.classes.end(), label) - d.classes.begin());
}

Dataset load_dataset(const ExperimentOptions& o) {
  if (is_outdir(o.data)) return load_outdir_dataset(o);
  const SourceList list = list_sources(o.data, o.labels, {.path = o.path_column, .label = o.label_column});
  if (list.sources.empty()) throw Error(ErrorCode::kInvalidData, "data", o.data.string() + ": no audio files found");
  Dataset d;
  const std::vector<Part> parts = assign_parts(o, list, d);
  const std::vector<std::size_t> group_of = assign_groups(o, list, d);
  set_classes(list, parts, d);

  for (std::size_t i = 0; i < list.sources.size(); ++i) {
    const auto& src = list.sources[i];
    Audio a = load_audio(
        src.path,
        {.sample_rate = o.features.sample_rate});  // a broken file stops the experiment: results need every row
    if (d.sample_rate == 0) d.sample_rate = a.sample_rate;
    if (a.sample_rate != d.sample_rate)
      throw Error(
          ErrorCode::kInvalidData, "sr",
          src.name + " is at " + num(a.sample_rate) + " Hz, other clips at " + num(d.sample_rate) + " Hz: set sr");
    // The clip cut as the features are (pad_to or segment): melnorm::cut_clip, the pipeline's own cutting.
    for (auto& [start, y] : cut_clip(o.features, a.samples, a.sample_rate))
      d.rows.push_back({i, group_of[i], class_index(d, src.label), parts[i], std::move(y), {}});
  }
  return d;
}

namespace {

// The split's own val rows are used as given; a group on both sides is said, not silently kept.
void warn_shared_groups(const Dataset& d, const std::vector<std::size_t>& train_rows,
                        const std::vector<std::size_t>& val_rows, const std::string& column) {
  std::set<std::size_t> train_groups, shared;
  for (std::size_t i : train_rows) train_groups.insert(d.rows[i].group);
  for (std::size_t i : val_rows)
    if (train_groups.count(d.rows[i].group)) shared.insert(d.rows[i].group);
  if (shared.empty()) return;
  warn("group_column '" + column + "': " + num(shared.size()) +
       " groups have rows in both the split's train and val rows (" + column + "=" + d.group_names[*shared.begin()] +
       ", ...): validation accuracy will flatter the model");
}

}  // namespace

RowSplit split_rows(const ExperimentOptions& o, const Dataset& d) {
  if (d.classes.size() < 2)
    throw Error(ErrorCode::kInvalidData, "labels", "need at least 2 labels, found " + num(d.classes.size()));
  RowSplit rows;
  for (std::size_t i = 0; i < d.rows.size(); ++i)
    (d.rows[i].part == Part::kTest  ? rows.test
     : d.rows[i].part == Part::kVal ? rows.fixed_val
                                    : rows.train)
        .push_back(i);
  if (rows.test.empty()) throw Error(ErrorCode::kInvalidData, "split_column", "the split has no test rows");
  if (rows.train.empty()) throw Error(ErrorCode::kInvalidData, "split_column", "the split has no train rows");
  if (o.group_column && !rows.fixed_val.empty()) warn_shared_groups(d, rows.train, rows.fixed_val, *o.group_column);
  return rows;
}

// Which validation picked the best epoch, in words (results.md, model.json).
std::string validation_text(const ExperimentOptions& o, const Dataset& d) {
  if (d.has_val_split) return "the split's val rows";
  if (o.train.val_fraction == 0) return "none (the last epoch is kept)";
  const std::string part = num(o.train.val_fraction) + " of the train rows";
  if (o.group_column)
    return part + " in whole '" + *o.group_column +
           "' groups (no group on both sides), stratified by label as far as the groups allow, drawn with the seed";
  if (o.features.segment)
    return part + " in whole clips (a clip's segments on one side), stratified by label, drawn with the seed";
  return part + ", stratified by label, drawn with the seed";
}

}  // namespace melnorm::detail
