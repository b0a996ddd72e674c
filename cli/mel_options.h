// Command-line flags generated from the library's option schemas: one flag
// per row (pipeline_schema(), extract_schema()), its value handed to the
// library as text. The CLI knows no option by hand: it only spells them.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

#include "melnorm/pipeline_options.h"

namespace melnorm::cli {

class OptionFlags {
 public:
  // Adds a flag for each row that `keep` accepts (all rows by default).
  void add_to(CLI::App& app, const std::vector<OptionSpec>& schema,
              const std::function<bool(const OptionSpec&)>& keep = {});
  // The options given on the command line, by schema name.
  OptionValues given() const;

 private:
  std::map<std::string, std::string> values_;
  std::vector<std::string> params_;  // --param NAME=VALUE items
};

// The flag a library parameter name is spelled as ("hop_length" -> "--hop"), or "".
std::string flag_for_param(const std::string& param);
// A parameter named in a library message (melnorm::param_text), as a flag:
// "pad_to" -> "--pad-to", ("fit_on", "all") -> "--fit-on all".
std::string render_flag(std::string_view name, std::string_view value);

// Rows of the pipeline schema before the given stage (e.g. the spectrogram
// options without normalization, for commands that take methods otherwise).
std::function<bool(const OptionSpec&)> stages_before(OptionStage stage);

}  // namespace melnorm::cli
