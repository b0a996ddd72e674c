#include "melnorm/extract.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <string_view>
#include <thread>

#include "core/format.h"
#include "core/ordered_parallel_map.h"
#include "core/warning_capture.h"
#include "dataset/output_format.h"
#include "dataset/resume_journal.h"
#include "dataset/shard_tar.h"
#include "dataset/sources.h"
#include "io/append_file.h"
#include "io/atomic_file.h"
#include "io/limits.h"
#include "io/outdir_lock.h"
#include "io/text_file.h"
#include "melnorm/audio.h"
#include "melnorm/error.h"
#include "melnorm/stats.h"
#include "pipeline/file_stream.h"

namespace melnorm {

using detail::num;
namespace fs = std::filesystem;

void ExtractOptions::validate() const {
  features.validate();
  const bool global = features.normalize && features.normalize->scope == Scope::kGlobal;
  const bool native = features.rate_policy == PipelineOptions::RatePolicy::kNative;
  const detail::OutputFormat& output = detail::output_format(format);
  if (output.same_shape_rows && !features.segment && !features.pad_to)
    throw_invalid_argument("format", param_text("format", format) + " needs fixed-size rows: add " +
                                         param_text("segment", "SECONDS") + " or " + param_text("pad_to", "SECONDS"));
  if (native && output.same_shape_rows)
    throw_invalid_argument(
        "sr", "sr=native gives rows of different frequency axes; it is for per-file output (format npy) only");
  if (native && (global || fit_stats))
    throw_invalid_argument("sr",
                           "sr=native: statistics over clips of different rates mix different frequency axes; set sr");
  if (jobs < 0) throw_invalid_argument("jobs", "jobs=" + num(jobs) + " must be >= 1 (or 0 for all cores)");
  if (global && !stats && !fit_stats)
    throw_invalid_argument("stats", "scope global needs stats=STATS.json or fit_stats");
  if ((stats || fit_stats) && !global)
    throw_invalid_argument("stats", "stats and fit_stats go with normalize=METHOD scope=global");
  if (stats && fit_stats) throw_invalid_argument("stats", "stats and fit_stats are alternatives");
  for (const auto& [name, value, fallback] : {std::tuple{"path_column", &path_column, "path"},
                                              {"label_column", &label_column, "label"},
                                              {"split_column", &split_column, "split"}})
    if (*value != fallback && !labels)
      throw_invalid_argument(name,
                             std::string(name) + "=" + *value + " names a column of the labels CSV: give labels too");
}

namespace {

// inputs.txt: the clips an OUTDIR was made from, one name a line (to say what changed).
constexpr const char* kSourcesFile = "inputs.txt";
constexpr const char* kPartialStatsDir = ".fit";  // partial statistics while fit_stats runs

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none" : out;
}

constexpr const char* kTmpDir = ".tmp";  // temporaries: emptied at start-up, removed at finish

// The temporaries of an older melnorm, which left them next to their targets
// ("x.npy.tmp-PID-N"); only a resumed OUTDIR can hold them.
void remove_stray_temporaries(const fs::path& out_dir) {
  const auto digits = [](std::string_view v) { return !v.empty() && v.find_first_not_of("0123456789") == v.npos; };
  std::vector<fs::path> stray;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(out_dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const std::size_t at = name.rfind(".tmp-");
    if (at == std::string::npos || !it->is_regular_file(ec)) continue;
    const std::string_view tail = std::string_view(name).substr(at + 5);  // PID-N
    const std::size_t dash = tail.find('-');
    if (dash != tail.npos && digits(tail.substr(0, dash)) && digits(tail.substr(dash + 1))) stray.push_back(it->path());
  }
  for (const auto& p : stray) fs::remove(p, ec);
}

void write_whole(const fs::path& path, const std::string& text, const fs::path& tmp_dir) {
  detail::AtomicFile f(path, tmp_dir);
  f.write(text.data(), text.size());
  f.commit();
}

// Absolute, symlinks resolved, no trailing separator.
fs::path resolved(const fs::path& p) {
  std::error_code ec;
  fs::path r = fs::weakly_canonical(fs::absolute(p, ec), ec);
  if (ec) r = fs::absolute(p, ec).lexically_normal();
  if (!r.has_filename() && r.has_relative_path()) r = r.parent_path();
  return r;
}

bool is_within(const fs::path& inner, const fs::path& outer) {
  return std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end()).first == outer.end();
}

// OUTDIR is melnorm's: the inputs live outside it (a resume rewrites and
// truncates what is inside), and it is not the input folder itself.
void check_paths(const ExtractOptions& o) {
  const fs::path out = resolved(o.out_dir), in = resolved(o.input);
  if (in == out)
    throw_invalid_argument("out_dir", "OUTDIR " + o.out_dir.string() + " is INPUT " + o.input.string() +
                                          ": the outputs would be written among the clips; choose another OUTDIR");
  // A folder inside OUTDIR would list the outputs as clips; a list or labels file may live there
  // (melnorm.dask writes its list of paths there) unless it is one of the files extract writes.
  auto clobbered = [&](const fs::path& p) {
    static const std::set<std::string> written = [] {
      std::set<std::string> names = {"options.json", "manifest.csv", "stats.json", kSourcesFile, detail::kProgressFile};
      for (const detail::OutputFormat* f : detail::output_formats()) names.insert(f->written.begin(), f->written.end());
      return names;
    }();
    std::error_code ec;
    return is_within(p, out) && (fs::is_directory(p, ec) || written.count(p.filename().string()));
  };
  if (clobbered(in))
    throw_invalid_argument("out_dir", "INPUT " + o.input.string() + " is inside OUTDIR " + o.out_dir.string() +
                                          ", which extract owns and rewrites; choose an OUTDIR outside the inputs");
  if (o.labels && clobbered(resolved(*o.labels)))
    throw_invalid_argument("out_dir", "labels " + o.labels->string() + " is inside OUTDIR " + o.out_dir.string() +
                                          ", which extract owns and rewrites; choose an OUTDIR outside the inputs");
}

// An OUTDIR inside the INPUT folder holds .npy rows, which a folder listing
// would take for waveforms: extract never reads its own outputs.
void skip_own_outputs(const ExtractOptions& o, detail::SourceList& list) {
  std::error_code ec;
  if (o.labels || !fs::is_directory(o.input, ec)) return;
  const fs::path out = resolved(o.out_dir), in = resolved(o.input);
  if (!is_within(out, in)) return;
  const std::string prefix = out.lexically_relative(in).generic_string() + "/";
  std::erase_if(list.sources, [&](const detail::Source& s) { return s.name.starts_with(prefix); });
}

nlohmann::ordered_json options_record(const ExtractPlan& plan, const detail::SourceList& list) {
  const ExtractOptions& o = plan.options();
  nlohmann::ordered_json j;
  j["format_version"] = OutdirReader::kFormatVersion;  // 2: the pipeline record
  j["input"] = o.input.string();
  j["labels"] = o.labels ? o.labels->string() : "";
  j["columns"] = {{"path", o.path_column}, {"label", o.label_column}, {"split", o.split_column}};
  j["sources"] = list.sources.size();
  j["pipeline"] = nlohmann::ordered_json::parse(plan.pipeline().to_json());
  j["pipeline"].erase("melnorm_version");  // a newer melnorm may resume an OUTDIR of the same format
  j["stats"] = o.stats
                   ? o.stats->string()
                   : (o.fit_stats ? "fit on " + std::string(o.fit_on == FitOn::kAll ? "all" : "train") + " rows" : "");
  j["format"] = o.format;
  if (o.format == "shards") j["shard_size"] = o.shard_size;
  if (o.strict) j["strict"] = true;  // left out when false: OUTDIRs of earlier builds resume
  return j;
}

// Names the first difference between two option records ("mel.hop_length: 512 vs 256").
std::string first_difference(const nlohmann::json& a, const nlohmann::json& b, const std::string& prefix = "") {
  if (a.is_object() && b.is_object()) {
    for (auto it = a.begin(); it != a.end(); ++it) {
      if (!b.contains(it.key())) return prefix + it.key() + ": " + it.value().dump() + " vs (absent)";
      auto d = first_difference(it.value(), b.at(it.key()), prefix + it.key() + ".");
      if (!d.empty()) return d;
    }
    for (auto it = b.begin(); it != b.end(); ++it)
      if (!a.contains(it.key())) return prefix + it.key() + ": (absent) vs " + it.value().dump();
    return "";
  }
  if (a != b) return prefix.substr(0, prefix.size() - (prefix.empty() ? 0 : 1)) + ": " + a.dump() + " vs " + b.dump();
  return "";
}

// A row's manifest.csv line: source, label, extra columns, offset, output, n_frames, status, error.
void append_manifest_line(std::string& block, const detail::Source& src, const ExtractRow& row,
                          const std::string& output) {
  // Appended piece by piece (GCC 12 misreports "," + s chains under -Wrestrict).
  char offset[32];
  std::snprintf(offset, sizeof offset, "%.3f", row.offset);
  block.append(detail::csv_field(src.name)).append(",").append(detail::csv_field(src.label));
  for (const auto& v : src.extra) block.append(",").append(detail::csv_field(v));
  block.append(",").append(offset).append(",").append(detail::csv_field(output)).append(",");
  block.append(row.ok() ? num(row.n_frames) : "").append(",").append(row.ok() ? "ok" : "failed").append(",");
  block.append(detail::csv_field(row.error)).append("\n");
}

std::string sources_text(const detail::SourceList& list) {
  std::string out;
  for (const auto& s : list.sources) out.append(s.name).append("\n");
  return out;
}

// "2 files added (e.g. a.wav, b.wav); 1 removed (c.wav)" against the recorded list.
std::string sources_change(const fs::path& recorded, const detail::SourceList& list) {
  std::error_code ec;
  if (!fs::exists(recorded, ec))
    return "it has another number of clips (made by an older melnorm, it does not list them)";
  std::set<std::string> before, now;
  std::istringstream in(detail::read_text_file(recorded, std::size_t{1} << 30, "out_dir"));
  for (std::string line; std::getline(in, line);) before.insert(line);
  for (const auto& s : list.sources) now.insert(s.name);
  auto some = [](const std::set<std::string>& a, const std::set<std::string>& b) {
    std::vector<std::string> only;
    for (const auto& x : a)
      if (!b.count(x)) only.push_back(x);
    std::string text = detail::num(only.size()) + (only.size() == 1 ? " file" : " files");
    for (std::size_t i = 0; i < only.size() && i < 3; ++i) text += (i ? ", " : " (e.g. ") + only[i];
    return only.empty() ? std::string("none") : text + ")";
  };
  return some(now, before) + " added; " + some(before, now) + " removed";
}

// Whether a row was written: the manifest holds more than its header.
bool holds_rows(const fs::path& out_dir) {
  std::ifstream m(out_dir / "manifest.csv");
  std::string line;
  return std::getline(m, line) && std::getline(m, line);
}

// Removes what a run that wrote no row left (options.json is rewritten next).
void start_over(const fs::path& out_dir) {
  std::error_code ec;
  for (const std::string name : {"manifest.csv", "stats.json", detail::kProgressFile}) fs::remove(out_dir / name, ec);
  fs::remove_all(out_dir / kPartialStatsDir, ec);
  for (const detail::OutputFormat* f : detail::output_formats())
    for (const auto& w : f->written) fs::remove(out_dir / w, ec);
}

}  // namespace

// ---- ExtractPlan ----

struct ExtractPlan::Impl {
  ExtractOptions options;
  detail::SourceList list;
  std::optional<Pipeline> pipeline;
};

namespace {

// The rate every clip shares, found from the headers before any work: a clip
// at another rate would get another frequency axis. Unreadable clips are
// left to the extraction, which records them as failed rows.
std::optional<int> shared_rate(const detail::SourceList& list) {
  std::optional<int> rate;
  const detail::Source* first = nullptr;
  for (const auto& src : list.sources) {
    if (!stores_sample_rate(src.path))
      throw_invalid_argument("sr",
                             src.name + " is a waveform file that stores no sample rate: set sr to its rate in Hz");
    AudioInfo info;
    try {
      info = audio_info(src.path);
    } catch (const Error&) { continue; }
    if (!rate) rate = info.sample_rate, first = &src;
    else if (info.sample_rate != *rate)
      throw Error(ErrorCode::kInvalidData, "sr",
                  "clips have different sample rates: " + first->name + " is at " + num(*rate) + " Hz, " + src.name +
                      " at " + num(info.sample_rate) +
                      " Hz; set sr to resample every clip to one rate (or sr=native for per-file output)");
  }
  return rate;
}

}  // namespace

ExtractPlan::ExtractPlan(const ExtractOptions& options) {
  auto impl = std::make_shared<Impl>();
  ExtractOptions& o = impl->options;
  o = options;
  o.validate();
  check_paths(o);
  if (o.jobs == 0) o.jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  impl->list = detail::list_sources(o.input, o.labels, {.path = o.path_column, .label = o.label_column});
  skip_own_outputs(o, impl->list);
  if (impl->list.sources.empty())
    throw Error(ErrorCode::kInvalidData, "input", o.input.string() + ": no audio files found");
  if (o.labels && o.split_column != "split") {  // the split is read from the named column
    const auto& cols = impl->list.extra_columns;
    const auto it = std::find(cols.begin(), cols.end(), o.split_column);
    if (it == cols.end())
      throw_invalid_argument("split_column",
                             o.labels->string() + ": no column '" + o.split_column +
                                 "' for the split; its columns besides path and label: " + join_names(cols));
    impl->list.split_column = static_cast<std::size_t>(it - cols.begin());
  }
  if (o.fit_stats && o.fit_on == FitOn::kTrain && !impl->list.split_column)
    throw_invalid_argument("fit_on", param_text("fit_stats") + ": " +
                                         (o.labels ? o.labels->string() + " has no '" + o.split_column + "' column"
                                                   : std::string("the clips have no train/test split")) +
                                         ", so the statistics would see the test rows too; name the column with " +
                                         param_text("split_column") + ", or fit on every row knowingly with " +
                                         param_text("fit_on", "all"));
  if (o.features.rate_policy == PipelineOptions::RatePolicy::kShared)
    if (const auto rate = shared_rate(impl->list)) o.features = o.features.at_rate(*rate);
  impl->pipeline.emplace(o.features);
  impl_ = std::move(impl);
}

ExtractPlan::~ExtractPlan() = default;
ExtractPlan::ExtractPlan(const ExtractPlan&) = default;
ExtractPlan& ExtractPlan::operator=(const ExtractPlan&) = default;

const ExtractOptions& ExtractPlan::options() const { return impl_->options; }
const Pipeline& ExtractPlan::pipeline() const { return *impl_->pipeline; }
std::size_t ExtractPlan::size() const { return impl_->list.sources.size(); }
const std::string& ExtractPlan::source_name(std::size_t i) const { return impl_->list.sources.at(i).name; }

std::vector<std::vector<std::size_t>> ExtractPlan::fit_chunks() const {
  const auto& list = impl_->list;
  const bool all = impl_->options.fit_on == FitOn::kAll;
  std::vector<std::vector<std::size_t>> chunks;
  for (std::size_t i = 0; i < list.sources.size(); ++i) {
    if (!all && list.split_column && list.sources[i].extra[*list.split_column] != "train") continue;
    if (chunks.empty() || chunks.back().size() == kFitChunk) chunks.emplace_back();
    chunks.back().push_back(i);
  }
  return chunks;
}

Fingerprint ExtractPlan::fingerprint() const { return impl_->pipeline->features_fingerprint(); }

std::size_t ExtractPlan::shard_count() const {
  const ExtractOptions& o = impl_->options;
  return o.format == "shards" ? (size() + o.shard_size - 1) / o.shard_size : 0;
}

// ---- ExtractWorker ----

struct ExtractWorker::Impl {
  const ExtractPlan plan;
  std::optional<Pipeline> pipeline;  // with the statistics when the scope is global

  ExtractRow to_row(PipelineRow&& p) const;  // in the output format's form

  // Decodes a clip and runs the pipeline; an unusable clip is an error for the whole clip.
  double rows(std::size_t source, bool normalized, std::string& error, std::vector<PipelineRow>& out) {
    const detail::Source& src = plan.impl().list.sources.at(source);
    std::optional<detail::WarningCapture> warnings;  // strict: a warning fails the clip
    if (plan.options().strict) warnings.emplace();
    try {
      Decoded audio;  // a long clip is decoded and framed in blocks (Pipeline::run_file)
      out = normalized ? pipeline->run_file(src.path, &audio, src.name)
                       : pipeline->run_file_unnormalized(src.path, &audio, src.name);
      if (warnings && !warnings->messages().empty()) {
        for (const auto& m : warnings->messages()) error.append(error.empty() ? "strict: " : "; ").append(m);
        out.clear();
        return 0.0;
      }
      return static_cast<double>(audio.samples) / audio.sample_rate;
    } catch (const Error& e) {
      error = e.what();
      return 0.0;
    }
  }
};

ExtractWorker::ExtractWorker(const ExtractPlan& plan, const Stats* stats) : impl_(new Impl{plan, plan.pipeline()}) {
  if (stats) impl_->pipeline = plan.pipeline().with_stats(*stats);
}

ExtractWorker::~ExtractWorker() = default;

bool ExtractWorker::streams(std::size_t source) const {
  const ExtractOptions& o = impl_->plan.options();
  if (!o.features.segment || o.features.pad_to || o.strict || o.format == "shards") return false;
  try {
    const AudioInfo info = audio_info(impl_->plan.impl().list.sources.at(source).path);
    return info.frames * static_cast<std::size_t>(std::max(1, info.channels)) >= detail::kStreamFromSamples;
  } catch (const Error&) { return false; }  // process() reports the file
}

ExtractRow ExtractWorker::Impl::to_row(PipelineRow&& p) const {
  const ExtractOptions& o = plan.options();
  ExtractRow row{.offset = p.offset, .n_frames = p.features.cols};
  if (detail::output_format(o.format).encoded_rows) row.encoded = encode_floats(p.features.data, o.features.dtype);
  else row.features = std::move(p.features);
  return row;
}

double ExtractWorker::process_rows(std::size_t source, const std::function<void(ExtractRow&&)>& on_row) {
  if (impl_->pipeline->needs_stats() && !impl_->pipeline->stats())
    throw_invalid_argument("stats", "scope global needs the fitted statistics: pass them to the worker");
  const detail::Source& src = impl_->plan.impl().list.sources.at(source);
  try {
    const Decoded d = impl_->pipeline->for_each_file_row(
        src.path, true, [&](PipelineRow&& p) { on_row(impl_->to_row(std::move(p))); }, src.name);
    return static_cast<double>(d.samples) / d.sample_rate;
  } catch (const Error& e) {
    on_row(ExtractRow{.error = e.what()});
    return 0.0;
  }
}

ExtractResult ExtractWorker::process(std::size_t source) {
  if (impl_->pipeline->needs_stats() && !impl_->pipeline->stats())
    throw_invalid_argument("stats", "scope global needs the fitted statistics: pass them to the worker");
  ExtractResult r;
  std::string clip_error;
  std::vector<PipelineRow> rows;
  r.audio_seconds = impl_->rows(source, true, clip_error, rows);
  if (!clip_error.empty()) {
    r.rows.push_back({.error = clip_error});
    return r;
  }
  for (PipelineRow& p : rows) r.rows.push_back(impl_->to_row(std::move(p)));
  return r;
}

Stats ExtractWorker::fit(std::span<const std::size_t> sources) {
  Stats stats(impl_->plan.options().features.n_bins(), impl_->plan.fingerprint());
  const auto add = [&](const PipelineRow& p) {
    stats.update(p.features.data.data(), p.features.rows, p.features.cols);
  };
  for (std::size_t source : sources) {
    if (!impl_->plan.options().strict) {  // a long recording's segments as they are decoded
      try {
        impl_->pipeline->for_each_file_row(impl_->plan.impl().list.sources.at(source).path, false, add);
      } catch (const Error&) {  // an unreadable clip is reported by the extraction pass
      }
      continue;
    }
    std::string clip_error;  // strict: a clip with a warning is a failed row, fitted on nowhere
    std::vector<PipelineRow> rows;
    impl_->rows(source, false, clip_error, rows);
    for (const PipelineRow& p : rows) add(p);
  }
  return stats;
}

ShardSummary ExtractWorker::write_shard(std::size_t shard) {
  const ExtractPlan& plan = impl_->plan;
  const ExtractOptions& o = plan.options();
  if (shard >= plan.shard_count())
    throw_invalid_argument("shard", "shard " + num(shard) + " is not one of the plan's " + num(plan.shard_count()) +
                                        " shards (format=" + o.format + ")");
  const detail::SourceList& list = plan.impl().list;
  const fs::path tmp_dir = o.out_dir / kTmpDir;
  std::error_code ec;
  fs::create_directories(tmp_dir, ec);  // the writer made it; a worker elsewhere may see it late
  detail::ShardTarWriter tar(o.out_dir, tmp_dir, shard);
  ShardSummary s{.shard = shard, .first_clip = shard * o.shard_size};
  s.clips = std::min(o.shard_size, plan.size() - s.first_clip);
  for (std::size_t i = s.first_clip; i < s.first_clip + s.clips; ++i) {
    ExtractResult r = process(i);
    s.audio_seconds += r.audio_seconds;
    for (std::size_t k = 0; k < r.rows.size(); ++k) {
      const ExtractRow& row = r.rows[k];
      const std::string output =
          row.ok() ? tar.add_row(list, i, k, o.features.segment.has_value(), row, o.features.dtype, o.features.n_bins())
                   : "";
      append_manifest_line(s.manifest, list.sources[i], row, output);
      ++s.rows;
      row.ok() ? ++s.ok_rows : ++s.failed;
    }
  }
  std::tie(s.bytes, s.sha256) = tar.commit();
  return s;
}

Stats merge_tree(std::vector<Stats> parts) {
  if (parts.empty()) throw_invalid_argument("parts", "merge_tree needs at least one Stats");
  while (parts.size() > 1) {
    std::vector<Stats> next;
    for (std::size_t i = 0; i + 1 < parts.size(); i += 2) {
      next.push_back(std::move(parts[i]));
      next.back().merge(parts[i + 1]);
    }
    if (parts.size() % 2) next.push_back(std::move(parts.back()));
    parts = std::move(next);
  }
  return std::move(parts.front());
}

// ---- ExtractWriter ----

namespace {}  // namespace

struct ExtractWriter::Impl {
  ExtractPlan plan;
  bool resuming = false;
  bool needs_fit = false;
  std::optional<Stats> stats;
  std::size_t start = 0, next = 0, rows = 0, ok_rows = 0, failed = 0;
  std::optional<detail::AppendFile> manifest, journal;
  std::unique_ptr<detail::OutputSink> sink;
  ExtractSummary summary;
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  fs::path tmp_dir;
  std::optional<detail::OutdirLock> lock;

  explicit Impl(const ExtractPlan& p) : plan(p), tmp_dir(p.options().out_dir / kTmpDir) {}
  ~Impl() { release_outdir(); }
  void take_outdir();
  void check_options(const nlohmann::ordered_json& record);
  void open_outputs();
  void check_next(std::size_t source) const;
  void commit_point();
  void release_outdir() {
    if (!lock) return;
    std::error_code ec;
    fs::remove_all(tmp_dir, ec);
    lock.reset();
  }
};

// Locks OUTDIR, then empties .tmp: what is in it was left by a killed run.
void ExtractWriter::Impl::take_outdir() {
  const fs::path& out_dir = plan.options().out_dir;
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) throw Error(ErrorCode::kIo, "out_dir", out_dir.string() + ": cannot create: " + ec.message());
  lock.emplace(out_dir);
  fs::remove_all(tmp_dir, ec);
  if (!ec) fs::create_directories(tmp_dir, ec);
  if (ec) throw Error(ErrorCode::kIo, "out_dir", tmp_dir.string() + ": cannot empty: " + ec.message());
}

// options.json: written for a new OUTDIR, or an existing one must match (a resume).
void ExtractWriter::Impl::check_options(const nlohmann::ordered_json& record) {
  const ExtractOptions& o = plan.options();
  const fs::path options_path = o.out_dir / "options.json";
  std::error_code ec;
  if (!fs::exists(options_path, ec)) {
    write_whole(options_path, record.dump(2) + "\n", tmp_dir);
    write_whole(o.out_dir / kSourcesFile, sources_text(plan.impl().list), tmp_dir);
    return;
  }
  nlohmann::json existing;
  try {
    existing = nlohmann::json::parse(detail::read_text_file(options_path, detail::kMaxJsonFileBytes, "out_dir"));
  } catch (const nlohmann::json::exception&) {
    throw Error(ErrorCode::kInvalidData, "out_dir",
                options_path.string() + ": unreadable; remove OUTDIR or use another");
  }
  const std::string diff = first_difference(existing, nlohmann::json(record));
  if (!diff.empty() && !holds_rows(o.out_dir)) {  // a run refused or stopped before its first row: start over
    start_over(o.out_dir);
    write_whole(options_path, record.dump(2) + "\n", tmp_dir);
    write_whole(o.out_dir / kSourcesFile, sources_text(plan.impl().list), tmp_dir);
    return;
  }
  const fs::path sources_path = o.out_dir / kSourcesFile;
  const bool same_sources =
      !fs::exists(sources_path, ec) ||
      detail::read_text_file(sources_path, std::size_t{1} << 30, "out_dir") == sources_text(plan.impl().list);
  if ((!diff.empty() && diff.rfind("sources:", 0) == 0) || (diff.empty() && !same_sources))
    throw Error(ErrorCode::kInvalidArgument, "out_dir",
                o.out_dir.string() +
                    " was made from other inputs: " + sources_change(o.out_dir / kSourcesFile, plan.impl().list) +
                    "; extract them into a new OUTDIR, or remove " + o.out_dir.string() + " to extract all again");
  if (!diff.empty())
    throw Error(ErrorCode::kInvalidArgument, "out_dir",
                o.out_dir.string() + " was made with other options (" + diff +
                    "); re-run with the same options to resume, or choose a new OUTDIR");
  resuming = true;
  remove_stray_temporaries(o.out_dir);
}

ExtractWriter::ExtractWriter(const ExtractPlan& plan) : impl_(new Impl(plan)) {
  Impl& s = *impl_;
  const ExtractOptions& o = plan.options();
  const detail::SourceList& list = plan.impl().list;
  std::error_code ec;
  if (o.stats) {  // checked before OUTDIR exists: a refused run leaves nothing behind
    s.stats = Stats::load(*o.stats);
    try {
      plan.pipeline().with_stats(*s.stats);
    } catch (const Error& e) { throw Error(e.code(), e.param(), o.stats->string() + ": " + e.raw_message()); }
  }
  s.take_outdir();
  s.check_options(options_record(plan, list));
  s.summary.sources = list.sources.size();

  // Global statistics: given, or fitted on the train rows (and kept for a resume).
  // The statistics travel with the features: OUTDIR/stats.json, fitted here or a copy of stats=
  // (so a resume with a refitted file of the same name is refused, and from_outdir finds them).
  if (o.stats) {
    const fs::path copy = o.out_dir / "stats.json";
    if (s.resuming && fs::exists(copy, ec) && Stats::load(copy).to_json() != s.stats->to_json())
      throw Error(ErrorCode::kInvalidArgument, "stats",
                  o.stats->string() + " differs from the statistics " + o.out_dir.string() +
                      " was made with (its stats.json); re-run with those, or choose a new OUTDIR");
    if (!fs::exists(copy, ec)) write_whole(copy, s.stats->to_json(), s.tmp_dir);
  } else if (o.fit_stats) {
    const fs::path stats_path = o.out_dir / "stats.json";
    if (s.resuming && fs::exists(stats_path, ec)) s.stats = Stats::load(stats_path);
    else s.needs_fit = true;
  }
  if (!s.needs_fit) s.open_outputs();
}

ExtractWriter::~ExtractWriter() = default;

void ExtractWriter::Impl::open_outputs() {
  const ExtractOptions& o = plan.options();
  const detail::SourceList& list = plan.impl().list;
  const detail::OutputFormat& format = detail::output_format(o.format);
  std::error_code ec;
  const fs::path manifest_path = o.out_dir / "manifest.csv";
  const fs::path progress_path = o.out_dir / detail::kProgressFile;
  detail::ResumePoint at;
  if (resuming && fs::exists(progress_path, ec)) at = detail::read_resume_point(o.out_dir, list.sources.size(), format);
  start = at.next_source, rows = at.rows, ok_rows = at.ok_rows, failed = at.failed;
  next = start;
  summary.resumed = start;
  manifest.emplace(manifest_path, start > 0 ? at.manifest_bytes : 0);
  if (start == 0) {
    std::string header = "source,label";
    for (const auto& c : list.extra_columns) header.append(",").append(detail::csv_field(c));
    manifest->append(header + ",offset,output,n_frames,status,error\n");
  }
  journal.emplace(progress_path, at.progress_bytes);
  const detail::SinkContext context{.out_dir = o.out_dir,
                                    .tmp_dir = tmp_dir,
                                    .dtype = o.features.dtype,
                                    .n_mels = o.features.n_bins(),
                                    .segmented = o.features.segment.has_value(),
                                    .manifest = manifest_path,
                                    .sources = &list,
                                    .shard_size = o.shard_size};
  sink = format.open(context, {.next_source = start, .ok_rows = ok_rows, .bytes = at.sink_bytes});
}

std::size_t ExtractWriter::next_source() const { return impl_->next; }
std::size_t ExtractWriter::failed_rows() const { return impl_->failed; }
double ExtractWriter::audio_seconds() const { return impl_->summary.audio_seconds; }
std::size_t ExtractWriter::resumed() const { return impl_->start; }
bool ExtractWriter::needs_fit() const { return impl_->needs_fit; }
const Stats* ExtractWriter::stats() const { return impl_->stats ? &*impl_->stats : nullptr; }

void ExtractWriter::set_fitted_stats(Stats stats) {
  Impl& s = *impl_;
  if (!s.needs_fit) throw_invalid_argument("stats", "statistics are not to be fitted in this extraction");
  if (stats.count() == 0) throw Error(ErrorCode::kInvalidData, "labels", "fit_stats: no train row could be read");
  stats.check_fingerprint(s.plan.fingerprint());
  write_whole(s.plan.options().out_dir / "stats.json", stats.to_json(), s.tmp_dir);
  s.stats = std::move(stats);
  s.needs_fit = false;
  s.open_outputs();
}

void ExtractWriter::Impl::check_next(std::size_t i) const {
  if (needs_fit) throw_invalid_argument("stats", "fit the statistics (set_fitted_stats) before writing rows");
  if (i != next)
    throw_invalid_argument("source",
                           "rows must be written in clip order: expected clip " + num(next) + ", got " + num(i));
}

// The journal line after a source, when the output is durable there (a resume may start after it).
void ExtractWriter::Impl::commit_point() {
  if (!sink->durable()) return;
  journal->append(num(next) + " " + num(static_cast<std::size_t>(manifest->size())) + " " +
                  num(static_cast<std::size_t>(sink->journal_bytes())) + " " + num(rows) + " " + num(ok_rows) + " " +
                  num(failed) + "\n");
}

void ExtractWriter::write(std::size_t i, ExtractResult&& r) {
  Impl& s = *impl_;
  s.check_next(i);
  const detail::Source& src = s.plan.impl().list.sources.at(i);
  std::string block;
  std::size_t failed = 0;
  for (std::size_t k = 0; k < r.rows.size(); ++k) {
    ExtractRow& row = r.rows[k];
    const std::string output = row.ok() ? s.sink->write_row(src.name, k, s.ok_rows, row) : "";
    append_manifest_line(block, src, row, output);
    ++s.rows;
    row.ok() ? ++s.ok_rows : (++s.failed, ++failed);
  }
  s.sink->end_source(failed);
  s.manifest->append(block);
  s.next = i + 1;
  s.commit_point();
  s.summary.audio_seconds += r.audio_seconds;
}

void ExtractWriter::write_streamed(std::size_t i, ExtractWorker& worker) {
  Impl& s = *impl_;
  s.check_next(i);
  const detail::Source& src = s.plan.impl().list.sources.at(i);
  std::string block;
  std::size_t failed = 0, k = 0;
  const double seconds = worker.process_rows(i, [&](ExtractRow&& row) {
    const std::string output = row.ok() ? s.sink->write_row(src.name, k, s.ok_rows, row) : "";
    append_manifest_line(block, src, row, output);
    ++s.rows, ++k;
    row.ok() ? ++s.ok_rows : (++s.failed, ++failed);
  });
  s.sink->end_source(failed);
  s.manifest->append(block);
  s.next = i + 1;
  s.commit_point();
  s.summary.audio_seconds += seconds;
}

void ExtractWriter::write_shard(ShardSummary&& shard) {
  Impl& s = *impl_;
  s.check_next(shard.first_clip);
  s.sink->adopt(shard);  // checks it is the next shard
  s.manifest->append(shard.manifest);
  s.rows += shard.rows, s.ok_rows += shard.ok_rows, s.failed += shard.failed;
  s.next = shard.first_clip + shard.clips;
  s.commit_point();
  s.summary.audio_seconds += shard.audio_seconds;
}

std::vector<std::size_t> ExtractWriter::shards_to_redo() const {
  return impl_->sink ? impl_->sink->redo() : std::vector<std::size_t>{};
}

void ExtractWriter::rewrote_shard(const ShardSummary& shard) {
  if (!impl_->sink) throw_invalid_argument("stats", "fit the statistics (set_fitted_stats) before writing shards");
  impl_->sink->rewrote(shard);
}

ExtractSummary ExtractWriter::finish() {
  Impl& s = *impl_;
  if (s.needs_fit) throw_invalid_argument("stats", "fit the statistics (set_fitted_stats) before finishing");
  if (s.next != s.plan.size())
    throw_invalid_argument("source", "finish() after " + num(s.next) + " of " + num(s.plan.size()) + " clips");
  s.sink->finish(s.ok_rows);
  s.release_outdir();  // a finished OUTDIR holds only the outputs: no .tmp, no .lock
  s.summary.rows = s.rows;
  s.summary.failed = s.failed;
  s.summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - s.t0).count();
  return s.summary;
}

// ---- extract_dataset: the three parts on this machine's threads ----

namespace {

std::string partial_name(std::size_t chunk) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "chunk-%06zu.json", chunk);
  return buf;
}

// A chunk's statistics: those a stopped run kept (the same options: a resume), or fitted and kept.
Stats fit_or_resume(ExtractWorker& w, const std::vector<std::size_t>& chunk, const fs::path& kept) {
  std::error_code ec;
  if (fs::exists(kept, ec)) {
    try {
      return Stats::load(kept);
    } catch (const Error&) {  // unreadable: fitted again
    }
  }
  Stats part = w.fit(chunk);
  part.save(kept);
  return part;
}

}  // namespace

ExtractSummary extract_dataset(const ExtractOptions& options,
                               const std::function<void(const ExtractProgress&)>& progress) {
  const ExtractPlan plan(options);
  ExtractWriter writer(plan);
  const int jobs = plan.options().jobs;
  ExtractProgress prog;
  if (writer.needs_fit()) {
    const auto chunks = plan.fit_chunks();
    if (chunks.empty())
      throw Error(ErrorCode::kInvalidData, "labels", param_text("fit_stats") + ": no rows to fit on (split=train)");
    prog.phase = "fit-stats";
    for (const auto& c : chunks) prog.sources_total += c.size();
    if (progress) progress(prog);  // the totals before the first clip (an interrupt says "0 of N")
    std::vector<Stats> parts;
    // Each chunk's partial statistics are kept until the whole fit is merged:
    // an interrupted fit resumes from the chunks it finished.
    const fs::path partial_dir = plan.options().out_dir / kPartialStatsDir;
    std::error_code made;
    fs::create_directories(partial_dir, made);
    detail::ordered_parallel_map(
        0, chunks.size(), jobs, [&] { return ExtractWorker(plan, nullptr); },
        [&](std::size_t i, ExtractWorker& w) { return fit_or_resume(w, chunks[i], partial_dir / partial_name(i)); },
        [&](std::size_t i, Stats&& part) {
          parts.push_back(std::move(part));
          prog.sources_done += chunks[i].size();
          if (progress) progress(prog);
        });
    writer.set_fitted_stats(merge_tree(std::move(parts)));
  }
  std::error_code ec;  // the statistics are whole in stats.json: the partial ones go (a run stopped before this)
  fs::remove_all(plan.options().out_dir / kPartialStatsDir, ec);
  // Shards an earlier run wrote that are missing or no longer match the index: rewritten first.
  const std::vector<std::size_t> redo = writer.shards_to_redo();
  detail::ordered_parallel_map(
      0, redo.size(), jobs, [&] { return ExtractWorker(plan, writer.stats()); },
      [&](std::size_t i, ExtractWorker& w) { return w.write_shard(redo[i]); },
      [&](std::size_t, ShardSummary&& s) { writer.rewrote_shard(s); });
  prog = {};
  prog.phase = "extract";
  prog.sources_total = plan.size();
  prog.sources_done = writer.resumed();
  if (progress) progress(prog);
  std::optional<ExtractWorker> streamer;  // the writer's own, for long recordings (ExtractWorker::streams)
  detail::ordered_parallel_map(
      writer.resumed(), plan.size(), jobs, [&] { return ExtractWorker(plan, writer.stats()); },
      [&](std::size_t i, ExtractWorker& w) { return w.streams(i) ? ExtractResult{.streamed = true} : w.process(i); },
      [&](std::size_t i, ExtractResult&& r) {
        for (const auto& row : r.rows) prog.rows_failed += row.ok() ? 0 : 1;
        prog.audio_seconds += r.audio_seconds;
        if (r.streamed) {  // a long recording: its segments computed here and written as they come
          if (!streamer) streamer.emplace(plan, writer.stats());
          const std::size_t failed_before = writer.failed_rows();
          const double before = writer.audio_seconds();
          writer.write_streamed(i, *streamer);
          prog.rows_failed += writer.failed_rows() - failed_before;
          prog.audio_seconds += writer.audio_seconds() - before;
        } else {
          writer.write(i, std::move(r));
        }
        prog.sources_done = i + 1;
        if (progress) progress(prog);
      });
  ExtractSummary summary = writer.finish();
  summary.rewritten = redo.size();
  return summary;
}

}  // namespace melnorm
