// The clips of a dataset and their labels: from a folder (label = parent
// folder name), a .txt/.csv list of paths, or a labels CSV.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace melnorm::detail {

struct Source {
  std::string name;               // as the manifest shows it: relative to the input folder, or as listed
  std::filesystem::path path;     // where it is read from
  std::string label;
  std::vector<std::string> extra; // values of SourceList::extra_columns
};

struct SourceList {
  std::vector<std::string> extra_columns;  // label CSV columns after path,label (split, speaker, ...)
  std::vector<Source> sources;
  std::optional<std::size_t> split_column;  // index into extra_columns of "split"
};

// Throws Error(kIo / kInvalidData) naming the file and line for bad input.
SourceList list_sources(const std::filesystem::path& input, const std::optional<std::filesystem::path>& labels);

// RFC 4180 fields: quotes around fields with commas, quotes or newlines.
std::vector<std::string> parse_csv_line(const std::string& line);
std::string csv_field(const std::string& value);

}  // namespace melnorm::detail
