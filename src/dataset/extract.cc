#include "melnorm/extract.h"

#include <nlohmann/json.hpp>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "core/format.h"
#include "dataset/sources.h"
#include "io/atomic_file.h"
#include "melnorm/audio.h"
#include "melnorm/error.h"
#include "melnorm/stats.h"

namespace melnorm {

using detail::num;
namespace fs = std::filesystem;

void ExtractOptions::validate() const {
  mel.validate();
  if (sample_rate && *sample_rate <= 0)
    throw_invalid_argument("sr", "sr=" + num(*sample_rate) + " must be a positive sample rate in Hz");
  auto positive_seconds = [](const std::optional<double>& v, const char* name) {
    if (v && !(*v > 0 && std::isfinite(*v)))
      throw_invalid_argument(name, std::string(name) + "=" + num(*v) + " must be a positive number of seconds");
  };
  positive_seconds(segment, "segment");
  positive_seconds(segment_hop, "segment_hop");
  positive_seconds(pad_to, "pad_to");
  if (segment_hop && !segment) throw_invalid_argument("segment_hop", "--segment-hop needs --segment");
  if (segment && pad_to) throw_invalid_argument("pad_to", "--pad-to and --segment are alternatives (segments are already fixed-size)");
  if (format == OutputFormat::kPacked && !segment && !pad_to)
    throw_invalid_argument("format", "format packed needs fixed-size rows: add --segment SECONDS or --pad-to SECONDS");
  if (dtype != DType::kFloat32 && dtype != DType::kFloat16)
    throw_invalid_argument("dtype", "dtype=" + to_string(dtype) + " is not supported; allowed: float32, float16");
  if (jobs < 0) throw_invalid_argument("jobs", "jobs=" + num(jobs) + " must be >= 1 (or 0 for all cores)");
  const bool global = normalize && normalize->scope == Scope::kGlobal;
  if (global && !stats && !fit_stats)
    throw_invalid_argument("stats", "scope global needs --stats STATS.json or --fit-stats");
  if ((stats || fit_stats) && !global)
    throw_invalid_argument("stats", "--stats and --fit-stats go with --normalize METHOD --scope global");
  if (stats && fit_stats) throw_invalid_argument("stats", "--stats and --fit-stats are alternatives");
  if (normalize && normalize->method == "pcen" && (mel.db.enabled || mel.power != 1.0))
    throw_invalid_argument("normalize", "--normalize pcen works on the linear magnitude mel spectrogram: add --power 1 --db off");
}

namespace {

constexpr const char* kProgressFile = ".progress";
constexpr const char* kPackedPartial = "features.npy.partial";
constexpr std::size_t kPackedHeaderBytes = 128;  // room for any [N, F, T] shape

struct Row {
  double offset = 0.0;       // seconds into the source
  std::string output;        // relative .npy path, or row index (packed)
  std::size_t n_frames = 0;
  bool ok = false;
  std::string error;
  std::vector<std::byte> packed;  // encoded row, packed format
  Matrix features;                // npy format: written by the consumer
};

struct SourceResult {
  std::vector<Row> rows;
  std::vector<Matrix> features;  // fit pass: the unnormalized spectrograms
  double audio_seconds = 0.0;
};

// The per-thread state of a worker: spectrogram engines per sample rate.
class Worker {
 public:
  explicit Worker(const ExtractOptions& o) : o_(o) {}

  const MelSpectrogram& mel(int sr) {
    auto& slot = engines_[sr];
    if (!slot) {
      MelSpectrogramOptions m = o_.mel;
      m.sample_rate = sr;
      slot = std::make_unique<MelSpectrogram>(m);
    }
    return *slot;
  }

 private:
  const ExtractOptions& o_;
  std::map<int, std::unique_ptr<MelSpectrogram>> engines_;
};

// Cuts a clip into the rows it produces: (offset in samples, samples).
std::vector<std::pair<std::size_t, std::vector<float>>> cut(const ExtractOptions& o, const Audio& a) {
  std::vector<std::pair<std::size_t, std::vector<float>>> out;
  const std::size_t n = a.frames();
  const double sr = a.sample_rate;
  if (o.pad_to) {
    std::vector<float> y(static_cast<std::size_t>(std::llround(*o.pad_to * sr)), 0.0f);
    std::copy_n(a.samples.begin(), std::min(n, y.size()), y.begin());
    out.emplace_back(0, std::move(y));
  } else if (o.segment) {
    const auto seg = static_cast<std::size_t>(std::llround(*o.segment * sr));
    const auto hop = static_cast<std::size_t>(std::llround(o.segment_hop.value_or(*o.segment) * sr));
    if (seg == 0 || hop == 0) throw_invalid_argument("segment", "segment is shorter than one sample at " + num(sr) + " Hz");
    if (n <= seg) {  // a short clip is one zero-padded segment
      std::vector<float> y(seg, 0.0f);
      std::copy_n(a.samples.begin(), n, y.begin());
      out.emplace_back(0, std::move(y));
    } else {
      for (std::size_t start = 0; start + seg <= n; start += hop)
        out.emplace_back(start, std::vector<float>(a.samples.begin() + start, a.samples.begin() + start + seg));
    }
  } else {
    out.emplace_back(0, a.samples);
  }
  return out;
}

std::string row_file(const std::string& source_name, std::size_t segment, bool segmented) {
  fs::path p(source_name);
  if (p.is_absolute()) p = p.relative_path();
  std::string stem = p.replace_extension().generic_string();
  // keep outputs inside OUTDIR whatever the listed path looks like
  for (std::size_t pos; (pos = stem.find("../")) != std::string::npos;) stem.replace(pos, 3, "__/");
  if (segmented) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "_s%04zu", segment);
    stem += buf;
  }
  return stem + ".npy";
}

SourceResult process(const ExtractOptions& o, Worker& w, const detail::Source& src, const Normalizer* norm,
                     bool keep_features) {
  SourceResult r;
  Audio audio;
  try {
    audio = load_audio(src.path, {.sample_rate = o.sample_rate});
  } catch (const Error& e) {
    r.rows.push_back({.error = e.what()});
    return r;
  }
  r.audio_seconds = static_cast<double>(audio.frames()) / audio.sample_rate;
  const bool segmented = o.segment.has_value();
  std::vector<std::pair<std::size_t, std::vector<float>>> pieces;
  try {
    pieces = cut(o, audio);
  } catch (const Error& e) {
    r.rows.push_back({.error = e.what()});
    return r;
  }
  for (std::size_t k = 0; k < pieces.size(); ++k) {
    Row row;
    row.offset = static_cast<double>(pieces[k].first) / audio.sample_rate;
    try {
      Matrix m = w.mel(audio.sample_rate).compute(pieces[k].second);
      if (keep_features) {
        r.features.push_back(std::move(m));
        continue;
      }
      if (norm) norm->apply(BatchView{m.data.data(), 1, m.rows, m.cols});
      row.n_frames = m.cols;
      if (o.format == OutputFormat::kPacked) {
        row.packed = encode_floats(m.data, o.dtype);
      } else {
        // Written by the consumer thread: concurrent file creation in one
        // folder contends in the file system (measured 5x slower with 2 jobs).
        row.output = row_file(src.name, k, segmented);
        row.features = std::move(m);
      }
      row.ok = true;
    } catch (const Error& e) {
      row.error = e.what();
    }
    r.rows.push_back(std::move(row));
  }
  return r;
}

// Runs work(i) for i in [begin, end) on `jobs` threads and hands each result
// to consume(i, result) on the calling thread in index order. Workers stay
// within `window` indices of the consumer, so memory is bounded by the jobs
// in flight, not by the dataset.
template <class Result>
void ordered_parallel(std::size_t begin, std::size_t end, int jobs, const std::function<Result(std::size_t, Worker&)>& work,
                      const std::function<void(std::size_t, Result&&)>& consume, const ExtractOptions& o) {
  if (begin >= end) return;
  if (jobs == 1) {  // no hand-off between threads: a context switch per clip costs ~10% on short clips
    Worker worker(o);
    for (std::size_t i = begin; i < end; ++i) consume(i, work(i, worker));
    return;
  }
  const std::size_t window = static_cast<std::size_t>(jobs) * 4;
  std::mutex m;
  std::condition_variable cv;
  std::map<std::size_t, Result> ready;
  std::size_t next_task = begin, next_consume = begin;
  bool stop = false;
  std::exception_ptr failure;
  auto run = [&] {
    Worker worker(o);
    for (;;) {
      std::size_t i;
      {
        std::unique_lock lock(m);
        cv.wait(lock, [&] { return stop || next_task >= end || next_task < next_consume + window; });
        if (stop || next_task >= end) return;
        i = next_task++;
      }
      try {
        Result r = work(i, worker);
        std::lock_guard lock(m);
        ready.emplace(i, std::move(r));
      } catch (...) {
        std::lock_guard lock(m);
        if (!failure) failure = std::current_exception();
        stop = true;
      }
      cv.notify_all();
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < jobs; ++t) threads.emplace_back(run);
  std::exception_ptr consumer_failure;
  while (next_consume < end) {
    Result r;
    {
      std::unique_lock lock(m);
      cv.wait(lock, [&] { return stop || ready.count(next_consume) > 0; });
      if (stop) break;
      r = std::move(ready.at(next_consume));
      ready.erase(next_consume);
    }
    try {
      consume(next_consume, std::move(r));
    } catch (...) {
      consumer_failure = std::current_exception();
      std::lock_guard lock(m);
      stop = true;
    }
    {
      std::lock_guard lock(m);
      ++next_consume;
    }
    cv.notify_all();
    if (consumer_failure) break;
  }
  {
    std::lock_guard lock(m);
    stop = true;
  }
  cv.notify_all();
  for (auto& t : threads) t.join();
  if (consumer_failure) std::rethrow_exception(consumer_failure);
  if (failure) std::rethrow_exception(failure);
}

// Appends and flushes; the journal of what is done lives in `.progress`.
class AppendFile {
 public:
  AppendFile(const fs::path& path, std::uintmax_t truncate_to) : path_(path) {
    std::error_code ec;
    if (fs::exists(path, ec)) fs::resize_file(path, truncate_to, ec);
    if (ec) throw Error(ErrorCode::kIo, "path", path.string() + ": cannot truncate: " + ec.message());
    f_ = std::fopen(path.c_str(), "ab");
    if (!f_) throw Error(ErrorCode::kIo, "path", path.string() + ": cannot open for appending");
  }
  ~AppendFile() { if (f_) std::fclose(f_); }
  void append(const void* data, std::size_t n) {
    if ((n && std::fwrite(data, 1, n, f_) != n) || std::fflush(f_) != 0)
      throw Error(ErrorCode::kIo, "path", path_.string() + ": write failed");
    size_ += n;
  }
  void append(const std::string& s) { append(s.data(), s.size()); }
  std::uintmax_t size() const { return size_; }
  void set_size(std::uintmax_t s) { size_ = s; }

 private:
  fs::path path_;
  std::FILE* f_ = nullptr;
  std::uintmax_t size_ = 0;
};

nlohmann::ordered_json options_record(const ExtractOptions& o, const detail::SourceList& list) {
  nlohmann::ordered_json j;
  j["format_version"] = 1;
  j["input"] = o.input.string();
  j["labels"] = o.labels ? o.labels->string() : "";
  j["sources"] = list.sources.size();
  MelSpectrogramOptions mel = o.mel;
  auto d = describe(mel);
  d["sr"] = o.sample_rate ? num(*o.sample_rate) : "each clip's own";
  if (!o.mel.mel.fmax) d["fmax"] = "sr/2";
  j["mel"] = d;
  if (o.normalize) {
    j["normalize"] = {{"method", o.normalize->method}, {"scope", to_string(o.normalize->scope)},
                      {"axis", to_string(o.normalize->axis)}, {"params", o.normalize->params},
                      {"stats", o.stats ? o.stats->string() : (o.fit_stats ? "fit on train rows" : "")}};
  } else {
    j["normalize"] = "none";
  }
  j["segment"] = o.segment ? num(*o.segment) : "none";
  j["segment_hop"] = o.segment ? num(o.segment_hop.value_or(*o.segment)) : "none";
  j["pad_to"] = o.pad_to ? num(*o.pad_to) : "none";
  j["format"] = o.format == OutputFormat::kNpy ? "npy" : "packed";
  j["dtype"] = to_string(o.dtype);
  return j;
}

// Names the first difference between two option records ("mel.hop_length: 512 vs 256").
std::string first_difference(const nlohmann::json& a, const nlohmann::json& b, const std::string& prefix = "") {
  if (a.is_object() && b.is_object()) {
    for (auto it = a.begin(); it != a.end(); ++it) {
      if (!b.contains(it.key())) return prefix + it.key() + ": " + it.value().dump() + " vs (absent)";
      const auto d = first_difference(it.value(), b.at(it.key()), prefix + it.key() + ".");
      if (!d.empty()) return d;
    }
    for (auto it = b.begin(); it != b.end(); ++it)
      if (!a.contains(it.key())) return prefix + it.key() + ": (absent) vs " + it.value().dump();
    return "";
  }
  if (a != b) return prefix.substr(0, prefix.size() - (prefix.empty() ? 0 : 1)) + ": " + a.dump() + " vs " + b.dump();
  return "";
}

}  // namespace

ExtractSummary extract_dataset(const ExtractOptions& options, const std::function<void(const ExtractProgress&)>& progress) {
  const auto t0 = std::chrono::steady_clock::now();
  ExtractOptions o = options;
  o.validate();
  if (o.jobs == 0) o.jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (o.normalize && o.normalize->method == "pcen") {  // PCEN's time constant needs the frame rate
    o.normalize->params.try_emplace("hop_length", o.mel.stft.hop_length);
    if (o.sample_rate) o.normalize->params.try_emplace("sr", *o.sample_rate);
  }
  const detail::SourceList list = detail::list_sources(o.input, o.labels);
  if (list.sources.empty()) throw Error(ErrorCode::kInvalidData, "input", o.input.string() + ": no audio files found");

  std::error_code ec;
  fs::create_directories(o.out_dir, ec);
  if (ec) throw Error(ErrorCode::kIo, "out_dir", o.out_dir.string() + ": cannot create: " + ec.message());
  const auto record = options_record(o, list);
  const fs::path options_path = o.out_dir / "options.json";
  bool resuming = false;
  if (fs::exists(options_path, ec)) {
    nlohmann::json existing;
    try {
      existing = nlohmann::json::parse(std::ifstream(options_path));
    } catch (const std::exception&) {
      throw Error(ErrorCode::kInvalidData, "out_dir", options_path.string() + ": unreadable; remove OUTDIR or use another");
    }
    const std::string diff = first_difference(existing, nlohmann::json(record));
    if (!diff.empty())
      throw Error(ErrorCode::kInvalidArgument, "out_dir",
                  o.out_dir.string() + " was made with other options (" + diff +
                      "); re-run with the same options to resume, or choose a new OUTDIR");
    resuming = true;
  } else {
    const std::string text = record.dump(2) + "\n";
    detail::AtomicFile f(options_path);
    f.write(text.data(), text.size());
    f.commit();
  }

  ExtractSummary summary;
  summary.sources = list.sources.size();
  ExtractProgress prog;
  prog.sources_total = list.sources.size();

  // Global statistics: given, or fitted on the train rows (and kept for a resume).
  std::optional<Stats> stats;
  MelSpectrogramOptions fp_mel = o.mel;
  if (o.sample_rate) fp_mel.sample_rate = *o.sample_rate;
  Fingerprint fingerprint = describe(fp_mel);
  if (!o.sample_rate) fingerprint.erase("sr"), fingerprint.erase("fmax");
  if (o.stats) {
    stats = Stats::load(*o.stats);
    stats->check_fingerprint(fingerprint);
  } else if (o.fit_stats) {
    const fs::path stats_path = o.out_dir / "stats.json";
    if (resuming && fs::exists(stats_path, ec)) {
      stats = Stats::load(stats_path);
    } else {
      Stats fitted(static_cast<std::size_t>(o.mel.mel.n_mels), fingerprint);
      std::vector<std::size_t> train;
      for (std::size_t i = 0; i < list.sources.size(); ++i)
        if (!list.split_column || list.sources[i].extra[*list.split_column] == "train") train.push_back(i);
      if (train.empty()) throw Error(ErrorCode::kInvalidData, "labels", "--fit-stats: no rows with split=train");
      prog.phase = "fit-stats";
      prog.sources_total = train.size();
      ordered_parallel<SourceResult>(
          0, train.size(), o.jobs,
          [&](std::size_t i, Worker& w) { return process(o, w, list.sources[train[i]], nullptr, true); },
          [&](std::size_t, SourceResult&& r) {
            for (const Matrix& m : r.features) fitted.update(m.data.data(), m.rows, m.cols);
            ++prog.sources_done;
            prog.audio_seconds += r.audio_seconds;
            if (progress) progress(prog);
          },
          o);
      if (fitted.count() == 0) throw Error(ErrorCode::kInvalidData, "labels", "--fit-stats: no train row could be read");
      fitted.save(stats_path);
      stats = std::move(fitted);
    }
  }
  std::optional<Normalizer> normalizer;
  if (o.normalize) normalizer.emplace(*o.normalize, stats ? &*stats : nullptr);

  // Resume point: the last line of .progress is "next_source manifest_bytes packed_bytes rows ok failed".
  const fs::path manifest_path = o.out_dir / "manifest.csv";
  const fs::path progress_path = o.out_dir / kProgressFile;
  const fs::path packed_path = o.out_dir / kPackedPartial;
  std::size_t start = 0, rows = 0, ok_rows = 0, failed = 0;
  std::uintmax_t manifest_bytes = 0, packed_bytes = 0, progress_bytes = 0;
  if (resuming && fs::exists(progress_path, ec)) {
    std::ifstream in(progress_path);
    std::string line;
    while (std::getline(in, line)) {
      if (in.eof()) break;  // an unterminated last line was cut by an interruption
      unsigned long long v[6];
      if (std::sscanf(line.c_str(), "%llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6) break;
      start = v[0], manifest_bytes = v[1], packed_bytes = v[2], rows = v[3], ok_rows = v[4], failed = v[5];
      progress_bytes += line.size() + 1;
    }
  }
  summary.resumed = start;
  std::string header = "source,label";
  for (const auto& c : list.extra_columns) header.append(",").append(detail::csv_field(c));
  header += ",offset,output,n_frames,status,error\n";
  AppendFile manifest(manifest_path, start > 0 ? manifest_bytes : 0);
  if (start == 0) manifest.append(header);
  else manifest.set_size(manifest_bytes);
  AppendFile journal(progress_path, progress_bytes);
  journal.set_size(progress_bytes);
  std::optional<AppendFile> packed;
  std::optional<std::array<std::size_t, 2>> packed_shape;  // [F, T] of every packed row
  const bool is_packed = o.format == OutputFormat::kPacked;
  const bool packed_done = is_packed && fs::exists(o.out_dir / "features.npy", ec) && !fs::exists(packed_path, ec);
  if (is_packed && !packed_done) {
    if (start == 0) {
      packed.emplace(packed_path, 0);
      const std::string reserve(kPackedHeaderBytes, ' ');  // the real header is written at the end
      packed->append(reserve);
    } else {
      packed.emplace(packed_path, packed_bytes);
      packed->set_size(packed_bytes);
    }
  }
  if (is_packed && !packed_done && ok_rows > 0) {  // the row shape, from the manifest of the earlier run
    std::ifstream in(manifest_path);
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
      const auto f = detail::parse_csv_line(line);
      if (f.size() >= 4 && f[f.size() - 2] == "ok") {
        packed_shape = std::array<std::size_t, 2>{static_cast<std::size_t>(o.mel.mel.n_mels), std::stoul(f[f.size() - 3])};
        break;
      }
    }
  }

  prog.phase = "extract";
  prog.sources_total = list.sources.size();
  prog.sources_done = start;
  prog.rows_done = rows;
  prog.rows_failed = failed;
  prog.audio_seconds = 0;
  const Normalizer* norm = normalizer ? &*normalizer : nullptr;
  ordered_parallel<SourceResult>(
      start, list.sources.size(), o.jobs,
      [&](std::size_t i, Worker& w) { return process(o, w, list.sources[i], norm, false); },
      [&](std::size_t i, SourceResult&& r) {
        const detail::Source& src = list.sources[i];
        std::string block;
        std::string packed_block_rows;
        for (Row& row : r.rows) {
          if (row.ok && !is_packed) {
            try {
              const std::size_t shape[] = {row.features.rows, row.features.cols};
              write_npy(o.out_dir / row.output, row.features.data, shape, o.dtype);
            } catch (const Error& e) {
              row.ok = false;
              row.error = e.what();
              row.output.clear();
            }
          }
          if (row.ok && is_packed) {
            const std::array<std::size_t, 2> shape{static_cast<std::size_t>(o.mel.mel.n_mels), row.n_frames};
            if (!packed_shape) packed_shape = shape;
            if (*packed_shape != shape) {
              row.ok = false;
              row.error = "row is [" + num(shape[0]) + ", " + num(shape[1]) + "] but packed rows are [" +
                          num((*packed_shape)[0]) + ", " + num((*packed_shape)[1]) + "]; clips differ in sample rate (set --sr)";
            } else {
              row.output = num(ok_rows);
              packed_block_rows.append(reinterpret_cast<const char*>(row.packed.data()), row.packed.size());
            }
          }
          // Appended piece by piece (GCC 12 misreports "," + s chains under -Wrestrict).
          char offset[32];
          std::snprintf(offset, sizeof offset, "%.3f", row.offset);
          block.append(detail::csv_field(src.name)).append(",").append(detail::csv_field(src.label));
          for (const auto& v : src.extra) block.append(",").append(detail::csv_field(v));
          block.append(",").append(offset).append(",").append(detail::csv_field(row.output)).append(",");
          block.append(row.ok ? num(row.n_frames) : "").append(",").append(row.ok ? "ok" : "failed").append(",");
          block.append(detail::csv_field(row.error)).append("\n");
          ++rows;
          row.ok ? ++ok_rows : ++failed;
        }
        if (packed && !packed_block_rows.empty()) packed->append(packed_block_rows);
        manifest.append(block);
        journal.append(num(i + 1) + " " + num(static_cast<std::size_t>(manifest.size())) + " " +
                       num(static_cast<std::size_t>(packed ? packed->size() : 0)) + " " + num(rows) + " " +
                       num(ok_rows) + " " + num(failed) + "\n");
        prog.sources_done = i + 1;
        prog.rows_done = rows;
        prog.rows_failed = failed;
        prog.audio_seconds += r.audio_seconds;
        summary.audio_seconds += r.audio_seconds;
        if (progress) progress(prog);
      },
      o);

  if (packed) {  // write the real header over the reserved bytes, then publish the file
    const std::size_t F = packed_shape ? (*packed_shape)[0] : static_cast<std::size_t>(o.mel.mel.n_mels);
    const std::size_t T = packed_shape ? (*packed_shape)[1] : 0;
    const std::size_t shape[] = {ok_rows, F, T};
    const std::string h = npy_header(o.dtype, shape, kPackedHeaderBytes);
    if (h.size() != kPackedHeaderBytes) throw Error(ErrorCode::kIo, "path", "packed header does not fit its reserved space");
    packed.reset();
    std::FILE* f = std::fopen(packed_path.c_str(), "r+b");
    if (!f || std::fwrite(h.data(), 1, h.size(), f) != h.size() || std::fclose(f) != 0)
      throw Error(ErrorCode::kIo, "path", packed_path.string() + ": cannot write the header");
    fs::rename(packed_path, o.out_dir / "features.npy", ec);
    if (ec) throw Error(ErrorCode::kIo, "path", packed_path.string() + ": cannot rename into place: " + ec.message());
  }
  summary.rows = rows;
  summary.failed = failed;
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return summary;
}

}  // namespace melnorm
