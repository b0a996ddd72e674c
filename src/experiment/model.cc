// Saved model folders: written by train/experiment, read by predict and
// melnorm.load_model. Every check names the file it is about.
#include "melnorm/model.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/format.h"
#include "core/sha256.h"
#include "experiment/model_dir.h"
#include "io/atomic_file.h"
#include "melnorm/error.h"
#include "melnorm/version.h"

namespace melnorm {

namespace fs = std::filesystem;
using detail::num;

namespace {

constexpr const char* kModelFile = "model.pt";
constexpr const char* kPipelineFile = "pipeline.json";
constexpr const char* kStatsFile = "stats.json";
constexpr const char* kClassesFile = "classes.txt";
constexpr const char* kRecordFile = "model.json";

void write_text(const fs::path& path, const std::string& text) {
  detail::AtomicFile f(path);
  f.write(text.data(), text.size());
  f.commit();
}

std::string read_text(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error(ErrorCode::kIo, "model", path.string() + ": missing");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kIo, "model", path.string() + ": cannot open: " + std::strerror(errno));
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Flushes a finished file or folder to disk before the rename publishes it,
// so that the folder is whole after a power loss too.
void sync_path(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(ErrorCode::kIo, "save_model", path.string() + ": cannot open: " + std::strerror(errno));
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw Error(ErrorCode::kIo, "save_model", path.string() + ": fsync failed: " + std::strerror(errno));
}

nlohmann::ordered_json number_or_null(double v) { return std::isfinite(v) ? nlohmann::ordered_json(v) : nullptr; }

nlohmann::ordered_json record_json(const ModelRecord& r, const nlohmann::ordered_json& files) {
  nlohmann::ordered_json j;
  j["format_version"] = ModelRecord::kFormatVersion;
  j["melnorm_version"] = version();
  j["input"] = {{"n_mels", r.n_mels}, {"frames", r.frames}, {"layout", "[batch, 1, n_mels, frames] float32"}};
  j["network"] = {{"config", r.config},
                  {"blocks", r.blocks},
                  {"channels", r.channels},
                  {"max_channels", r.max_channels},
                  {"bn_axis", r.bn_axis}};
  j["training"] = {{"data", r.data},
                   {"labels", r.labels},
                   {"labels_sha256", r.labels_sha256},
                   {"data_sha256", r.data_sha256},
                   {"split", r.split},
                   {"seed", r.seed},
                   {"epochs", r.epochs},
                   {"best_epoch", r.best_epoch},
                   {"train_rows", r.train_rows},
                   {"val_rows", r.val_rows},
                   {"test_rows", r.test_rows},
                   {"level", r.level},
                   {"val_accuracy", number_or_null(r.val_accuracy)},
                   {"test_accuracy", number_or_null(r.test_accuracy)}};
  j["files"] = files;
  return j;
}

// Removes what a killed save of the same folder left (.NAME.tmp-PID whose process is gone).
void remove_stale_temporaries(const fs::path& parent, const std::string& name) {
  std::error_code ec;
  const std::string prefix = "." + name + ".tmp-";
  for (auto it = fs::directory_iterator(parent, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const std::string f = it->path().filename().string();
    if (f.rfind(prefix, 0) != 0) continue;
    const long pid = std::strtol(f.c_str() + prefix.size(), nullptr, 10);
    if (pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH)) continue;  // still running
    std::error_code rm;
    fs::remove_all(it->path(), rm);
  }
}

// DIR must be absent, empty, or an earlier saved model: anything else is the user's and is kept.
void check_replaceable(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return;
  if (!fs::is_directory(dir, ec))
    throw Error(ErrorCode::kIo, "save_model", dir.string() + ": exists and is not a folder; not replaced");
  if (!fs::is_empty(dir, ec) && !fs::exists(dir / kRecordFile, ec))
    throw Error(ErrorCode::kIo, "save_model",
                dir.string() + ": exists and is not a saved model (no model.json); not replaced");
}

// The finished temporary folder becomes DIR: renamed, or swapped with the old model (then removed).
void publish(const fs::path& tmp, const fs::path& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, dir.c_str(), RENAME_EXCHANGE) != 0)
      throw Error(ErrorCode::kIo, "save_model", dir.string() + ": cannot replace: " + std::strerror(errno));
    fs::remove_all(tmp, ec);  // now the old model
    return;
  }
  if (::rename(tmp.c_str(), dir.c_str()) != 0)
    throw Error(ErrorCode::kIo, "save_model", dir.string() + ": cannot rename into place: " + std::strerror(errno));
}

void write_model_files(const fs::path& tmp, const detail::Classifier& net, const Pipeline& pipeline,
                       const ModelRecord& record) {
  net.save(tmp / kModelFile);
  write_text(tmp / kPipelineFile, pipeline.to_json() + "\n");
  std::vector<std::string> names = {kModelFile, kPipelineFile, kClassesFile};
  if (pipeline.stats()) {
    pipeline.stats()->save(tmp / kStatsFile);
    names.push_back(kStatsFile);
  }
  std::string classes;
  for (const auto& c : record.classes) classes += c + "\n";
  write_text(tmp / kClassesFile, classes);
  nlohmann::ordered_json files;
  for (const auto& n : names) {
    sync_path(tmp / n);
    files[n] = {{"sha256", detail::sha256_file(tmp / n)}, {"bytes", fs::file_size(tmp / n)}};
  }
  write_text(tmp / kRecordFile, record_json(record, files).dump(2) + "\n");  // last: its digests cover the rest
  sync_path(tmp / kRecordFile);
  sync_path(tmp);
}

}  // namespace

namespace detail {

void save_model_dir(const fs::path& dir_in, const Classifier& net, const Pipeline& pipeline,
                    const ModelRecord& record) {
  const fs::path dir = dir_in.has_filename() ? dir_in : dir_in.parent_path();  // "out/model/" names "out/model"
  const fs::path parent = dir.has_parent_path() ? dir.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) throw Error(ErrorCode::kIo, "save_model", parent.string() + ": cannot create: " + ec.message());
  check_replaceable(dir);
  remove_stale_temporaries(parent, dir.filename().string());
  // Built with append: GCC 12 misreports "literal" + std::string&& under -Wrestrict.
  const fs::path tmp =
      parent / std::string(".").append(dir.filename().string()).append(".tmp-").append(std::to_string(::getpid()));
  fs::remove_all(tmp, ec);
  if (!fs::create_directory(tmp, ec))
    throw Error(ErrorCode::kIo, "save_model", tmp.string() + ": cannot create: " + ec.message());
  try {
    write_model_files(tmp, net, pipeline, record);
    publish(tmp, dir);
  } catch (...) {
    fs::remove_all(tmp, ec);
    throw;
  }
  sync_path(parent);
}

void point_best(const fs::path& dir, const std::string& run) {
  const fs::path link = dir / "best", tmp = dir / (".best.tmp-" + std::to_string(::getpid()));
  std::error_code ec;
  fs::remove(tmp, ec);
  fs::create_directory_symlink(run, tmp, ec);
  if (ec) throw Error(ErrorCode::kIo, "save_models", tmp.string() + ": cannot create a link: " + ec.message());
  if (fs::exists(link, ec) && !fs::is_symlink(fs::symlink_status(link, ec))) {
    fs::remove(tmp, ec);
    throw Error(ErrorCode::kIo, "save_models", link.string() + ": exists and is not a link; not replaced");
  }
  if (::rename(tmp.c_str(), link.c_str()) != 0)  // replaces an older link atomically
    throw Error(ErrorCode::kIo, "save_models", link.string() + ": cannot rename into place: " + std::strerror(errno));
}

std::string run_folder_name(const std::string& config, int seed) {
  std::string name;
  for (char c : config) name += c == ':' || c == '=' || c == '/' ? '-' : c == ' ' ? '_' : c;
  return name + "_seed-" + std::to_string(seed);
}

}  // namespace detail

// ---- loading ----

struct SavedModel::Net {
  std::unique_ptr<detail::Classifier> classifier;
};

namespace {

template <class T>
T field(const nlohmann::json& j, const char* section, const char* key, const fs::path& file) {
  try {
    return j.at(section).at(key).get<T>();
  } catch (const nlohmann::json::exception&) {
    throw Error(ErrorCode::kInvalidData, "model", file.string() + ": missing or bad field " + section + "." + key);
  }
}

double number_field(const nlohmann::json& j, const char* key, const fs::path& file) {
  const auto& v = j.at("training").at(key);
  if (v.is_null()) return std::numeric_limits<double>::quiet_NaN();
  if (!v.is_number())
    throw Error(ErrorCode::kInvalidData, "model", file.string() + ": training." + key + " is not a number");
  return v.get<double>();
}

nlohmann::json read_record(const fs::path& file) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_text(file));
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorCode::kInvalidData, "model", file.string() + ": not valid JSON (truncated?): " + e.what());
  }
  if (!j.is_object() || !j.contains("format_version") || !j["format_version"].is_number_integer())
    throw Error(ErrorCode::kInvalidData, "model", file.string() + ": not a melnorm model record (no format_version)");
  if (j["format_version"] != ModelRecord::kFormatVersion)
    throw Error(ErrorCode::kInvalidData, "model",
                file.string() + ": model format_version " + j["format_version"].dump() + " (written by melnorm " +
                    j.value("melnorm_version", std::string("?")) + "); this melnorm " + version() + " reads " +
                    num(ModelRecord::kFormatVersion));
  if (!j.contains("files") || !j["files"].is_object())
    throw Error(ErrorCode::kInvalidData, "model", file.string() + ": no files record");
  return j;
}

// Every file model.json lists has the size and digest it records; the required ones are listed.
void check_digests(const fs::path& dir, const nlohmann::json& files) {
  for (const char* required : {kModelFile, kPipelineFile, kClassesFile})
    if (!files.contains(required))
      throw Error(ErrorCode::kInvalidData, "model",
                  (dir / kRecordFile).string() + ": files has no entry for " + required);
  for (const auto& [name, entry] : files.items()) {
    const fs::path f = dir / name;
    std::error_code ec;
    if (name.find('/') != std::string::npos || !fs::is_regular_file(f, ec))
      throw Error(ErrorCode::kIo, "model", f.string() + ": missing");
    const auto bytes = fs::file_size(f, ec);
    if (entry.value("bytes", std::uintmax_t{0}) != bytes)
      throw Error(ErrorCode::kInvalidData, "model",
                  f.string() + ": " + num(bytes) + " bytes, model.json records " +
                      entry.value("bytes", nlohmann::json()).dump() + " (truncated or modified)");
    if (entry.value("sha256", std::string()) != detail::sha256_file(f))
      throw Error(ErrorCode::kInvalidData, "model",
                  f.string() + ": SHA-256 differs from model.json's (corrupted or modified)");
  }
}

// The pipeline record with its statistics: a stats.json fitted under other
// features is refused naming stats.json.
Pipeline read_pipeline(const fs::path& dir, bool has_stats) {
  const fs::path pf = dir / kPipelineFile, sf = dir / kStatsFile;
  PipelineOptions options = Pipeline::options_from_json(read_text(pf), pf.string());
  const bool global = options.normalize && options.normalize->scope == Scope::kGlobal;
  if (global != has_stats)
    throw Error(
        ErrorCode::kInvalidData, "stats",
        (global ? sf : pf).string() + (global ? ": missing (the pipeline normalizes with global statistics)"
                                              : ": the pipeline has no global scope, yet stats.json is listed"));
  if (!has_stats) return Pipeline(options);
  try {
    return Pipeline(options, Stats::load(sf));
  } catch (const Error& e) {
    const std::string m = e.what();
    throw Error(ErrorCode::kInvalidData, "stats", m.rfind(sf.string(), 0) == 0 ? m : sf.string() + ": " + m);
  }
}

std::vector<std::string> read_classes(const fs::path& file) {
  std::stringstream in(read_text(file));
  std::vector<std::string> classes;
  for (std::string line; std::getline(in, line);) classes.push_back(line);
  if (classes.size() < 2) throw Error(ErrorCode::kInvalidData, "model", file.string() + ": fewer than 2 classes");
  return classes;
}

ModelRecord record_from(const nlohmann::json& j, const fs::path& file) {
  ModelRecord r;
  r.melnorm_version = j.value("melnorm_version", std::string());
  r.n_mels = field<std::size_t>(j, "input", "n_mels", file);
  r.frames = field<std::size_t>(j, "input", "frames", file);
  r.config = field<std::string>(j, "network", "config", file);
  r.blocks = field<int>(j, "network", "blocks", file);
  r.channels = field<int>(j, "network", "channels", file);
  r.max_channels = field<int>(j, "network", "max_channels", file);
  r.bn_axis = field<std::string>(j, "network", "bn_axis", file);
  r.data = field<std::string>(j, "training", "data", file);
  r.labels = field<std::string>(j, "training", "labels", file);
  r.labels_sha256 = field<std::string>(j, "training", "labels_sha256", file);
  r.data_sha256 = field<std::string>(j, "training", "data_sha256", file);
  r.split = field<std::string>(j, "training", "split", file);
  r.seed = field<int>(j, "training", "seed", file);
  r.epochs = field<int>(j, "training", "epochs", file);
  r.best_epoch = field<int>(j, "training", "best_epoch", file);
  r.train_rows = field<std::size_t>(j, "training", "train_rows", file);
  r.val_rows = field<std::size_t>(j, "training", "val_rows", file);
  r.test_rows = field<std::size_t>(j, "training", "test_rows", file);
  r.level = field<std::string>(j, "training", "level", file);
  r.val_accuracy = number_field(j, "val_accuracy", file);
  r.test_accuracy = number_field(j, "test_accuracy", file);
  return r;
}

}  // namespace

SavedModel SavedModel::load(const fs::path& dir) {
  auto read = [&] {
    const fs::path rf = dir / kRecordFile;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw Error(ErrorCode::kIo, "model", dir.string() + ": no such model folder");
    const nlohmann::json j = read_record(rf);
    SavedModel m;
    try {
      check_digests(dir, j["files"]);
      m.record_ = record_from(j, rf);
    } catch (const nlohmann::json::exception& e) {  // a hand-edited record of other types
      throw Error(ErrorCode::kInvalidData, "model", rf.string() + ": bad record: " + e.what());
    }
    m.dir_ = dir;
    m.record_.classes = read_classes(dir / kClassesFile);
    m.pipeline_ = std::make_unique<Pipeline>(read_pipeline(dir, j["files"].contains(kStatsFile)));
    const PipelineOptions& o = m.pipeline_->options();
    const int rate = o.sample_rate.value_or(0);
    if (!rate || (!o.pad_to && !o.segment && !o.target_frames))
      throw Error(
          ErrorCode::kInvalidData, "model",
          (dir / kPipelineFile).string() + ": a model's pipeline needs sr and pad_to, segment or target_frames");
    if (m.record_.n_mels != o.n_bins(rate) || m.record_.frames != m.pipeline_->n_frames(0, rate))
      throw Error(ErrorCode::kInvalidData, "model",
                  rf.string() + ": input " + num(m.record_.n_mels) + " x " + num(m.record_.frames) +
                      " but the pipeline gives " + num(o.n_bins(rate)) + " x " + num(m.pipeline_->n_frames(0, rate)));
    m.net_ = std::make_unique<Net>();
    m.net_->classifier = detail::load_classifier(dir / kModelFile, m.record_.n_mels, m.record_.frames,
                                                 static_cast<int>(m.record_.classes.size()));
    return m;
  };
  try {
    return read();
  } catch (const Error& e) {
    // About the folder, not an option of the command: kInvalidData (exit 1), no flag named.
    throw Error(e.code() == ErrorCode::kIo ? ErrorCode::kIo : ErrorCode::kInvalidData, "model", e.raw_message());
  }
}

SavedModel::~SavedModel() = default;
SavedModel::SavedModel(SavedModel&&) noexcept = default;
SavedModel& SavedModel::operator=(SavedModel&&) noexcept = default;

std::vector<std::vector<float>> SavedModel::logits(const std::vector<PipelineRow>& rows,
                                                   const std::string& what) const {
  const std::size_t F = record_.n_mels, T = record_.frames;
  std::vector<float> x;
  x.reserve(rows.size() * F * T);
  for (const auto& r : rows) {
    if (r.features.rows != F || r.features.cols != T)
      throw Error(ErrorCode::kInvalidData, "model",
                  what + ": features " + num(r.features.rows) + " x " + num(r.features.cols) + ", the network takes " +
                      num(F) + " x " + num(T));
    x.insert(x.end(), r.features.data.begin(), r.features.data.end());
  }
  const std::vector<float> z = net_->classifier->logits(x.data(), rows.size());
  const std::size_t K = record_.classes.size();
  std::vector<std::vector<float>> out;
  for (std::size_t i = 0; i < rows.size(); ++i)
    out.emplace_back(z.begin() + static_cast<std::ptrdiff_t>(i * K),
                     z.begin() + static_cast<std::ptrdiff_t>((i + 1) * K));
  return out;
}

std::vector<float> softmax(const std::vector<float>& logits) {
  if (logits.empty()) return {};
  double top = logits[0], sum = 0.0;
  for (float v : logits) top = std::max(top, static_cast<double>(v));
  std::vector<double> e;
  e.reserve(logits.size());
  for (float v : logits) sum += e.emplace_back(std::exp(static_cast<double>(v) - top));
  std::vector<float> p;
  p.reserve(e.size());
  for (double v : e) p.push_back(static_cast<float>(v / sum));
  return p;
}

}  // namespace melnorm
