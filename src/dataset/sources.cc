#include "dataset/sources.h"

#include <algorithm>
#include <fstream>
#include <set>

#include "io/limits.h"
#include "io/text_file.h"
#include "melnorm/audio.h"
#include "melnorm/error.h"

namespace melnorm::detail {

namespace fs = std::filesystem;

namespace {

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == '\n' || s.back() == ' ')) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  return s.substr(i);
}

}  // namespace

std::vector<std::string> parse_csv_line(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') fields.back() += '"', ++i;
      else if (c == '"') quoted = false;
      else fields.back() += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else if (c != '\r' && c != '\n') {
      fields.back() += c;
    }
  }
  return fields;
}

std::string csv_field(const std::string& value) {
  if (value.find_first_of(",\"\n\r") == std::string::npos) return value;
  std::string out = "\"";
  for (char c : value) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

namespace {

// Editors on Windows start UTF-8 files with a byte order mark; without this
// the first header name would be "\xEF\xBB\xBFpath".
std::string strip_bom(std::string line) { return line.starts_with("\xEF\xBB\xBF") ? line.substr(3) : line; }

// Where the path and label are in a labels CSV row; the rest are extras.
struct HeaderLayout {
  std::size_t path = 0;
  std::size_t label = 1;
  std::vector<std::size_t> extra;
};

std::size_t find_column(const std::vector<std::string>& header, const std::string& name, const fs::path& labels) {
  for (std::size_t c = 0; c < header.size(); ++c)
    if (header[c] == name) return c;
  std::string have;
  for (const auto& h : header) have += (have.empty() ? "" : ", ") + h;
  throw Error(ErrorCode::kInvalidData, "labels",
              labels.string() + ": no column '" + name + "'; the header has: " + have + "; name the columns with " +
                  param_text("path_column") + " and " + param_text("label_column"));
}

HeaderLayout header_layout(std::vector<std::string> header, const LabelColumns& columns, const fs::path& labels,
                           const std::string& line) {
  for (auto& h : header) h = trim(h);
  HeaderLayout layout;
  if (columns.path == "path" && columns.label == "label") {
    // The default layout stays strict: a header not starting with path,label
    // is more likely a list without a header than named columns elsewhere.
    if (header.size() < 2 || header[0] != "path" || header[1] != "label")
      throw Error(ErrorCode::kInvalidData, "labels",
                  labels.string() + ": the first line must start with the columns path,label (got '" + trim(line) +
                      "'); for other column names give " + param_text("path_column") + " and " +
                      param_text("label_column"));
  } else {
    layout.path = find_column(header, columns.path, labels);
    layout.label = find_column(header, columns.label, labels);
  }
  for (std::size_t c = 0; c < header.size(); ++c)
    if (c != layout.path && c != layout.label) layout.extra.push_back(c);
  return layout;
}

// A labels CSV or list file may hold up to kMaxListRows rows of up to
// kMaxListLineBytes each (src/io/limits.h): beyond that it is not a list.
void check_list_line(const std::string& line, std::size_t line_no, std::size_t rows, const fs::path& file,
                     const char* param) {
  if (line.size() > kMaxListLineBytes)
    throw Error(ErrorCode::kInvalidData, param,
                file.string() + ":" + std::to_string(line_no) + ": a line of " + std::to_string(line.size()) +
                    " bytes, more than the " + std::to_string(kMaxListLineBytes) + " allowed");
  if (rows >= kMaxListRows)
    throw Error(ErrorCode::kInvalidData, param,
                file.string() + ": more than " + std::to_string(kMaxListRows) + " rows, the most melnorm reads");
}

void read_labels_csv(const fs::path& labels, const fs::path& input, bool input_is_dir, const LabelColumns& columns,
                     SourceList& list) {
  check_file_size(labels, kMaxListFileBytes, "labels");
  std::ifstream in(labels);
  if (!in) throw Error(ErrorCode::kIo, "labels", labels.string() + ": cannot open the labels CSV");
  std::string line;
  if (!std::getline(in, line)) throw Error(ErrorCode::kInvalidData, "labels", labels.string() + ": empty labels CSV");
  line = strip_bom(line);
  const auto header = parse_csv_line(line);
  const HeaderLayout layout = header_layout(header, columns, labels, line);
  for (std::size_t c : layout.extra) {
    if (trim(header[c]) == "split") list.split_column = list.extra_columns.size();
    list.extra_columns.push_back(trim(header[c]));
  }
  const fs::path base = labels.parent_path();
  std::error_code ec;
  for (std::size_t line_no = 2; std::getline(in, line); ++line_no) {
    check_list_line(line, line_no, list.sources.size(), labels, "labels");
    if (trim(line).empty()) continue;
    auto fields = parse_csv_line(line);
    if (fields.size() != header.size())
      throw Error(ErrorCode::kInvalidData, "labels",
                  labels.string() + ":" + std::to_string(line_no) + ": " + std::to_string(fields.size()) +
                      " fields, the header has " + std::to_string(header.size()));
    Source s;
    s.name = trim(fields[layout.path]);
    const fs::path p(s.name);
    // Relative paths: next to the CSV, else inside the input folder.
    s.path = p.is_absolute() ? p : base / p;
    if (!p.is_absolute() && !fs::exists(s.path, ec) && input_is_dir && fs::exists(input / p, ec)) s.path = input / p;
    s.label = trim(fields[layout.label]);
    for (std::size_t c : layout.extra) s.extra.push_back(trim(fields[c]));
    list.sources.push_back(std::move(s));
  }
}

}  // namespace

SourceList list_sources(const fs::path& input, const std::optional<fs::path>& labels, const LabelColumns& columns) {
  SourceList list;
  std::error_code ec;
  const bool input_is_dir = fs::is_directory(input, ec);
  if (!input_is_dir && !fs::exists(input, ec))
    throw Error(ErrorCode::kIo, "input", input.string() + ": no such folder or list file");

  if (labels) {
    read_labels_csv(*labels, input, input_is_dir, columns, list);
    return list;
  }

  if (input_is_dir) {
    // Names relative to the folder as the walk spells them: fs::relative would resolve both paths per file
    // (a realpath of every component: more than half of listing 100k clips).
    const fs::path base = input.lexically_normal();
    for (auto it = fs::recursive_directory_iterator(input, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (!it->is_regular_file() || !melnorm::is_audio_path(it->path())) continue;  // the decoders' extensions
      if (list.sources.size() >= kMaxListRows)
        throw Error(
            ErrorCode::kInvalidData, "input",
            input.string() + ": more than " + std::to_string(kMaxListRows) + " audio files, the most melnorm lists");
      Source s;
      s.path = it->path();
      s.name = it->path().lexically_normal().lexically_relative(base).generic_string();
      s.label = it->path().parent_path() == input ? "" : it->path().parent_path().filename().string();
      list.sources.push_back(std::move(s));
    }
    if (ec) throw Error(ErrorCode::kIo, "input", input.string() + ": cannot list folder: " + ec.message());
    std::sort(list.sources.begin(), list.sources.end(),
              [](const Source& a, const Source& b) { return a.name < b.name; });
    return list;
  }

  // A list file: one path per line (a .csv's first column; a "path" header is skipped).
  check_file_size(input, kMaxListFileBytes, "input");
  std::ifstream in(input);
  if (!in) throw Error(ErrorCode::kIo, "input", input.string() + ": cannot open the list");
  std::string line;
  std::size_t line_no = 1;
  for (bool first = true; std::getline(in, line); first = false, ++line_no) {
    check_list_line(line, line_no, list.sources.size(), input, "input");
    std::string p = trim(parse_csv_line(first ? strip_bom(line) : line)[0]);
    if (p.empty() || (first && p == "path")) continue;
    Source s;
    s.name = p;
    s.path = fs::path(p).is_absolute() ? fs::path(p) : input.parent_path() / p;
    s.label = s.path.parent_path().filename().string();
    list.sources.push_back(std::move(s));
  }
  return list;
}

}  // namespace melnorm::detail
