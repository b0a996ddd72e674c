// The extraction's own options, declared once (features are pipeline_schema()'s).
#include <algorithm>
#include <functional>

#include "core/format.h"
#include "core/names.h"
#include "dataset/output_format.h"
#include "melnorm/error.h"
#include "melnorm/extract.h"

namespace melnorm {

using detail::num;

namespace {

struct ExtractOptionRow {
  OptionSpec spec;
  std::function<void(ExtractOptions&, const std::string&)> set;
  std::function<std::string(const ExtractOptions&)> get;
};

// "npy | packed" and "npy: one file per row; packed: ...", from the registered formats.
std::string format_choices(const char* separator, bool with_help) {
  std::string text;
  for (const detail::OutputFormat* f : detail::output_formats())
    text += (text.empty() ? "" : separator) + f->name + (with_help ? ": " + f->help : "");
  return text;
}

const std::vector<ExtractOptionRow>& rows() {
  using K = OptionKind;
  const auto S = OptionStage::kOutput;
  static const std::vector<ExtractOptionRow> table = {
      {{"input", "INPUT", K::kText, S, "", "a folder or a .txt/.csv list of paths", "(required)",
        "audio files: a folder (recursive; label = parent folder) or a list", false},
       [](ExtractOptions& o, const std::string& t) { o.input = t; },
       [](const ExtractOptions& o) { return o.input.string(); }},
      {{"out_dir", "-o", K::kText, S, "", "a folder", "(required)",
        "output folder (re-running with the same options resumes)", false},
       [](ExtractOptions& o, const std::string& t) { o.out_dir = t; },
       [](const ExtractOptions& o) { return o.out_dir.string(); }},
      {{"labels", "--labels", K::kText, S, "", "a CSV file | none", "none",
        "CSV with path,label[,split,speaker,...]; paths relative to the CSV", false},
       [](ExtractOptions& o, const std::string& t) { t == "none" ? o.labels.reset() : void(o.labels = t); },
       [](const ExtractOptions& o) { return o.labels ? o.labels->string() : "none"; }},
      {{"path_column", "--path-column", K::kText, S, "", "a column of the labels CSV", "path",
        "the column holding each clip's path", false},
       [](ExtractOptions& o, const std::string& t) { o.path_column = t; },
       [](const ExtractOptions& o) { return o.path_column; }},
      {{"label_column", "--label-column", K::kText, S, "", "a column of the labels CSV", "label",
        "the column holding each clip's label", false},
       [](ExtractOptions& o, const std::string& t) { o.label_column = t; },
       [](const ExtractOptions& o) { return o.label_column; }},
      {{"split_column", "--split-column", K::kText, S, "", "a column of the labels CSV", "split",
        "train/test (val) per row: fitted statistics see train rows only", false},
       [](ExtractOptions& o, const std::string& t) { o.split_column = t; },
       [](const ExtractOptions& o) { return o.split_column; }},
      {{"stats", "--stats", K::kText, S, "", "a stats.json | none", "none",
        "global statistics to apply (from fit-stats)", false},
       [](ExtractOptions& o, const std::string& t) { t == "none" ? o.stats.reset() : void(o.stats = t); },
       [](const ExtractOptions& o) { return o.stats ? o.stats->string() : "none"; }},
      {{"fit_stats", "--fit-stats", K::kBool, S, "", "true | false", "false",
        "fit global statistics on the train rows into OUTDIR/stats.json first", false},
       [](ExtractOptions& o, const std::string& t) {
         if (t != "true" && t != "false")
           throw_invalid_argument("fit_stats", "fit_stats='" + t + "' must be true or false");
         o.fit_stats = t == "true";
       },
       [](const ExtractOptions& o) { return std::string(o.fit_stats ? "true" : "false"); }},
      {{"fit_on", "--fit-on", K::kChoice, S, "", "train | all", "train",
        "rows the statistics are fitted on; all: every row, test rows included (no split column needed)", false},
       [](ExtractOptions& o, const std::string& t) {
         if (t == "train") o.fit_on = FitOn::kTrain;
         else if (t == "all") o.fit_on = FitOn::kAll;
         else throw_invalid_argument("fit_on", "fit_on='" + t + "' is not supported; allowed: train, all");
       },
       [](const ExtractOptions& o) { return std::string(o.fit_on == FitOn::kTrain ? "train" : "all"); }},
      {{"format", "--format", K::kChoice, S, "", format_choices(" | ", false), detail::output_formats().front()->name,
        format_choices("; ", true), false},
       [](ExtractOptions& o, const std::string& t) { o.format = detail::output_format(t).name; },
       [](const ExtractOptions& o) { return o.format; }},
      {{"shard_size", "--shard-size", K::kInteger, S, "", "integer >= 1", "1000",
        "format shards: clips per shard (a clip's segments stay in its shard; a failed clip leaves a gap)", false},
       [](ExtractOptions& o, const std::string& t) {
         try {
           std::size_t used = 0;
           const long long v = std::stoll(t, &used);
           if (used != t.size() || v < 1) throw std::invalid_argument(t);
           o.shard_size = static_cast<std::size_t>(v);
         } catch (const std::exception&) {
           throw_invalid_argument("shard_size", "shard_size='" + t + "' must be an integer >= 1");
         }
       },
       [](const ExtractOptions& o) { return num(o.shard_size); }},
      {{"jobs", "--jobs", K::kInteger, S, "", "integer >= 0", "0 (all cores)",
        "worker threads; the output is the same for any value", false},
       [](ExtractOptions& o, const std::string& t) {
         try {
           std::size_t used = 0;
           o.jobs = std::stoi(t, &used);
           if (used != t.size()) throw std::invalid_argument(t);
         } catch (const std::exception&) { throw_invalid_argument("jobs", "jobs='" + t + "' must be an integer >= 0"); }
       },
       [](const ExtractOptions& o) { return num(o.jobs); }},
      {{"strict", "--strict", K::kBool, S, "", "true | false", "false",
        "a clip that gives a warning (a header promising more audio than the file holds) is a failed row, "
        "the warning its error",
        false},
       [](ExtractOptions& o, const std::string& t) {
         if (t != "true" && t != "false") throw_invalid_argument("strict", "strict='" + t + "' must be true or false");
         o.strict = t == "true";
       },
       [](const ExtractOptions& o) { return std::string(o.strict ? "true" : "false"); }},
  };
  return table;
}

}  // namespace

const std::vector<OptionSpec>& extract_schema() {
  static const std::vector<OptionSpec> specs = [] {
    std::vector<OptionSpec> s;
    for (const auto& r : rows()) s.push_back(r.spec);
    return s;
  }();
  return specs;
}

ExtractOptions resolve_extract_options(const OptionValues& given) {
  OptionValues features;
  ExtractOptions o;
  std::map<std::string, const ExtractOptionRow*> by_name;
  for (const auto& r : rows()) by_name[r.spec.name] = &r;
  for (const auto& [name, text] : given) {
    find_option(name, {&extract_schema(), &pipeline_schema()}, "extract option");  // refuses unknown names
    if (by_name.count(name)) by_name[name]->set(o, text);
    else features[name] = text;
  }
  if (o.input.empty() || o.out_dir.empty()) throw_invalid_argument("input", "extract needs input and out_dir");
  if (given.count("shard_size") && o.format != "shards")
    throw_invalid_argument("shard_size", param_text("shard_size", given.at("shard_size")) + " applies to " +
                                             param_text("format", "shards") + " only; format is " + o.format);
  o.features = resolve_pipeline_options(features);
  // A dataset's rows are [bins, frames], what OutdirReader, the experiment and
  // melnorm.torch read; a preset's time_first layout is for one model's input.
  if (o.features.layout != Layout::kBinsFirst) {
    if (features.count("layout"))
      throw_invalid_argument("layout",
                             "extract writes rows as [bins, frames] (layout=bins_first), which every "
                             "dataset reader expects; transpose when feeding the model, or use mel");
    o.features.layout = Layout::kBinsFirst;
  }
  o.validate();
  return o;
}

OptionValues extract_option_values(const ExtractOptions& o) {
  OptionValues v = option_values(o.features);
  for (const auto& r : rows()) v[r.spec.name] = r.get(o);
  if (o.format != "shards") v.erase("shard_size");  // refused with another format
  return v;
}

}  // namespace melnorm
