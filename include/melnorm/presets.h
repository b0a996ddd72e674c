// Presets: one row each, in one table (src/pipeline/presets.cc). A row is a
// name, a one-line doc, what it reproduces (library and version) and option
// values by schema name: the whole recipe, from the sample rate to the
// normalization. Explicit options override a preset's values in every front
// end. Adding a preset is adding a row; `melnorm presets`, melnorm.presets()
// and docs/presets.md (checked by a test) list them.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace melnorm {

struct PresetInfo {
  std::string name;
  std::string doc;                            // one line
  std::string reproduces;                     // the original, with its version
  std::map<std::string, std::string> values;  // option name -> value, as text
  // An unset hop_length follows the window: win_length / hop_divisor
  // (librosa: 4, torchaudio: 2).
  int hop_divisor = 4;
};

// Every preset, in a stable order (librosa first: the default).
const std::vector<PresetInfo>& presets();
// Throws Error listing the names (with the closest one) when `name` is not one.
const PresetInfo& find_preset(std::string_view name, const std::string& param = "preset");
// The table as Markdown (docs/presets.md) and as JSON (a list of rows).
std::string presets_markdown();
std::string presets_json();

}  // namespace melnorm
