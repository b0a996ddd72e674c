// The clips of a dataset and their labels: from a folder (label = parent
// folder name), a .txt/.csv list of paths, or a labels CSV.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace melnorm::detail {

struct Source {
  std::string name;            // as the manifest shows it: relative to the input folder, or as listed
  std::filesystem::path path;  // where it is read from
  std::string label;
  std::vector<std::string> extra;  // values of SourceList::extra_columns
};

struct SourceList {
  std::vector<std::string> extra_columns;  // the other label CSV columns (split, speaker, ...)
  std::vector<Source> sources;
  std::optional<std::size_t> split_column;  // index into extra_columns of "split"
};

// The labels CSV columns holding each clip's path and label. With the
// defaults the header must start with path,label (as before); named columns
// (e.g. UrbanSound8K's slice_file_name, class) may be anywhere. Every other
// column becomes an extra column, in file order.
struct LabelColumns {
  std::string path = "path";
  std::string label = "label";
};

// Throws Error(kIo / kInvalidData) naming the file and line for bad input.
SourceList list_sources(const std::filesystem::path& input, const std::optional<std::filesystem::path>& labels,
                        const LabelColumns& columns = {});

// RFC 4180 fields: quotes around fields with commas, quotes or newlines.
std::vector<std::string> parse_csv_line(const std::string& line);
std::string csv_field(const std::string& value);

}  // namespace melnorm::detail
