// OutdirReader: options.json, manifest.csv and the output format's files of
// a finished extraction.
#include <nlohmann/json.hpp>

#include <fstream>

#include "core/format.h"
#include "dataset/output_format.h"
#include "dataset/sources.h"
#include "io/limits.h"
#include "io/text_file.h"
#include "melnorm/error.h"
#include "melnorm/extract.h"
#include "melnorm/pipeline.h"
#include "melnorm/pipeline_options.h"

namespace melnorm {

namespace fs = std::filesystem;
using detail::num;

struct OutdirReader::Impl {
  fs::path out_dir;
  std::string options_json, format;
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  std::size_t status = 0, output = 0, n_frames = 0;  // column indices
  std::unique_ptr<detail::OutputReader> reader;
};

namespace {

[[noreturn]] void not_an_outdir(const fs::path& out_dir, const std::string& why,
                                ErrorCode code = ErrorCode::kInvalidData) {
  throw Error(code, "out_dir", out_dir.string() + ": " + why + "; is it the OUTDIR of melnorm extract?");
}

// The manifest's records: a quoted field may hold a line break (an error message).
std::vector<std::vector<std::string>> read_manifest(const fs::path& path) {
  std::ifstream in(path);
  if (!in) not_an_outdir(path.parent_path(), "no manifest.csv", ErrorCode::kIo);
  std::vector<std::vector<std::string>> records;
  std::string record, line;
  while (std::getline(in, line)) {
    record += line;
    if (std::count(record.begin(), record.end(), '"') % 2) {  // inside quotes: the record goes on
      record += '\n';
      continue;
    }
    records.push_back(detail::parse_csv_line(record));
    record.clear();
  }
  if (records.empty()) not_an_outdir(path.parent_path(), "manifest.csv is empty");
  return records;
}

std::size_t column(const std::vector<std::string>& columns, const std::string& name, const fs::path& out_dir) {
  const auto it = std::find(columns.begin(), columns.end(), name);
  if (it == columns.end()) not_an_outdir(out_dir, "manifest.csv has no '" + name + "' column");
  return static_cast<std::size_t>(it - columns.begin());
}

std::string pipeline_option(const nlohmann::json& options, const std::string& name, const fs::path& out_dir) {
  const auto* p = options.contains("pipeline") && options["pipeline"].contains("options")
                      ? &options["pipeline"]["options"]
                      : nullptr;
  if (!p || !p->contains(name) || !(*p)[name].is_string())
    not_an_outdir(out_dir, "options.json has no pipeline option " + name);
  return (*p)[name].get<std::string>();
}

}  // namespace

OutdirReader::OutdirReader(const fs::path& out_dir) : impl_(new Impl{.out_dir = out_dir}) {
  Impl& s = *impl_;
  std::error_code ec;
  if (!fs::exists(out_dir / "options.json", ec)) not_an_outdir(out_dir, "no options.json", ErrorCode::kIo);
  s.options_json = detail::read_text_file(out_dir / "options.json", detail::kMaxJsonFileBytes, "out_dir");
  const nlohmann::json options = nlohmann::json::parse(s.options_json, nullptr, /*allow_exceptions=*/false);
  if (!options.is_object()) not_an_outdir(out_dir, "options.json is not a JSON object");
  const int version = options.value("format_version", 0);
  if (version != kFormatVersion)
    throw Error(
        ErrorCode::kInvalidData, "out_dir",
        out_dir.string() + ": OUTDIR format_version " + num(version) + "; this melnorm reads " + num(kFormatVersion));
  s.format = options.value("format", std::string());
  const detail::OutputFormat& format = detail::output_format(s.format);
  auto records = read_manifest(out_dir / "manifest.csv");
  s.columns = std::move(records.front());
  s.rows.assign(std::make_move_iterator(records.begin() + 1), std::make_move_iterator(records.end()));
  s.status = column(s.columns, "status", out_dir);
  s.output = column(s.columns, "output", out_dir);
  s.n_frames = column(s.columns, "n_frames", out_dir);
  std::size_t ok_rows = 0, frames = 0;
  for (const auto& r : s.rows) {
    if (r.size() != s.columns.size()) not_an_outdir(out_dir, "manifest.csv has a row of " + num(r.size()) + " fields");
    if (r[s.status] != "ok") continue;
    if (ok_rows++ == 0) frames = static_cast<std::size_t>(std::stoull(r[s.n_frames]));
  }
  // Bins per row: n_mels (the stft front end) or what the Kaldi options give, as the pipeline resolves them.
  (void)pipeline_option(options, "n_mels", out_dir);  // refuses a record without pipeline options
  std::size_t n_mels = 0;
  try {
    OptionValues given;
    for (const auto& [name, value] : options["pipeline"]["options"].items())
      if (value.is_string()) given[name] = value.get<std::string>();
    n_mels = resolve_pipeline_options(given).n_bins();
  } catch (const std::exception& e) {
    not_an_outdir(out_dir, "options.json's pipeline options do not resolve (" + std::string(e.what()) + ")");
  }
  const std::string dtype = pipeline_option(options, "dtype", out_dir);
  s.reader = format.read(out_dir, dtype == "float16" ? DType::kFloat16 : DType::kFloat32, ok_rows, n_mels, frames);
}

OutdirReader::~OutdirReader() = default;
OutdirReader::OutdirReader(OutdirReader&&) noexcept = default;
OutdirReader& OutdirReader::operator=(OutdirReader&&) noexcept = default;

const fs::path& OutdirReader::out_dir() const { return impl_->out_dir; }
const std::string& OutdirReader::format() const { return impl_->format; }
const std::string& OutdirReader::options_json() const { return impl_->options_json; }
const std::vector<std::string>& OutdirReader::columns() const { return impl_->columns; }
std::size_t OutdirReader::size() const { return impl_->rows.size(); }

std::optional<fs::path> OutdirReader::stats_path() const {
  std::error_code ec;
  if (fs::exists(impl_->out_dir / "stats.json", ec)) return impl_->out_dir / "stats.json";
  const nlohmann::json options = nlohmann::json::parse(impl_->options_json);
  if (!options.contains("stats") || !options["stats"].is_string()) return std::nullopt;
  const std::string named = options["stats"].get<std::string>();
  if (named.empty() || named.rfind("fit on", 0) == 0) return std::nullopt;  // "fit on train": stats.json, missing
  return fs::path(named);
}

PipelineOptions OutdirReader::pipeline_options() const {
  const nlohmann::json options = nlohmann::json::parse(impl_->options_json);
  return Pipeline::options_from_json(options.at("pipeline").dump(), (impl_->out_dir / "options.json").string());
}

const std::vector<std::string>& OutdirReader::row(std::size_t i) const {
  if (i >= impl_->rows.size()) throw_invalid_argument("i", "row " + num(i) + " of " + num(impl_->rows.size()));
  return impl_->rows[i];
}

bool OutdirReader::ok(std::size_t i) const { return row(i)[impl_->status] == "ok"; }

const std::vector<std::string>& OutdirReader::ok_row(std::size_t i) const {
  const auto& r = row(i);
  if (r[impl_->status] != "ok")
    throw Error(ErrorCode::kInvalidArgument, "i",
                "row " + num(i) + " of " + impl_->out_dir.string() + " failed: no features");
  return r;
}

Matrix OutdirReader::features(std::size_t i) const {
  const auto& r = ok_row(i);
  return impl_->reader->row(r[impl_->output], static_cast<std::size_t>(std::stoull(r[impl_->n_frames])));
}

std::optional<FeaturesView> OutdirReader::features_view(std::size_t i) const {
  const auto& r = ok_row(i);
  return impl_->reader->view(r[impl_->output], static_cast<std::size_t>(std::stoull(r[impl_->n_frames])));
}

}  // namespace melnorm
