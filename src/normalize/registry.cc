// The normalization registry: one line per method, each defined in
// src/normalize/methods/<name>.cc. The order is the listing order
// (`melnorm methods`, melnorm.methods(), "allowed:" in errors).
#include <algorithm>
#include <cctype>
#include <string>

#include "core/format.h"
#include "melnorm/error.h"
#include "normalize/method.h"

namespace melnorm {
namespace detail {

MethodEntry minmax_method();
MethodEntry zscore_method();
MethodEntry zscore_minmax_method();
MethodEntry robust_method();
MethodEntry robust_zscore_method();
MethodEntry pcen_method();
MethodEntry whisper_method();
MethodEntry none_method();

const std::vector<MethodEntry>& method_entries() {
  static const std::vector<MethodEntry> entries = {
      minmax_method(),        zscore_method(), zscore_minmax_method(), robust_method(),
      robust_zscore_method(), pcen_method(),   whisper_method(),
      none_method(),  // not listed (normalization_methods)
  };
  return entries;
}

namespace {
std::string squashed(std::string_view s) {  // "Z-Score" and "z_score" read as "zscore"
  std::string out;
  for (char c : s)
    if (std::isalnum(static_cast<unsigned char>(c)))
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
}  // namespace

const MethodEntry& find_method_entry(std::string_view name, const std::string& param) {
  for (const auto& e : method_entries())
    if (e.info.name == name) return e;
  std::string names, suggestion;
  for (const auto& m : normalization_methods()) {
    names += (names.empty() ? "" : ", ") + m.name;
    if (squashed(m.name) == squashed(name)) suggestion = "; did you mean " + m.name + "?";
  }
  throw_invalid_argument(
      param, param_text(param, "'" + std::string(name) + "'") + " is not known; allowed: " + names + suggestion);
}

}  // namespace detail

const std::vector<MethodInfo>& normalization_methods() {
  static const std::vector<MethodInfo> infos = [] {
    std::vector<MethodInfo> v;
    for (const auto& e : detail::method_entries())
      if (e.info.kind != MethodKind::kIdentity) v.push_back(e.info);
    return v;
  }();
  return infos;
}

const MethodInfo& find_method(std::string_view name, const std::string& param) {
  return detail::find_method_entry(name, param).info;
}
const MethodInfo& no_normalization() { return find_method("none"); }

std::string methods_markdown() {
  std::string md = "| method | input | output unit | output range | scopes | axes | parameters (default) |\n";
  md += "|---|---|---|---|---|---|---|\n";
  for (const MethodInfo& m : normalization_methods()) {
    std::string params;
    for (const ParamSpec& p : m.params) {
      params += (params.empty() ? "" : ", ") + ("`" + p.name + "` " + detail::num(p.default_value));
      if (p.source == ParamSource::kSampleRate) params += " (the features' sr)";
      if (p.source == ParamSource::kHopLength) params += " (the features' hop)";
      if (p.pipeline_default) params += " (pipeline: " + detail::num(*p.pipeline_default) + ")";
    }
    md += "| `" + m.name + "` | " + to_string(m.input) + " | " + m.unit + " | " + m.range + " | " +
          (m.supports_global ? "local, global" : "local") + (m.supports_fixed ? ", fixed" : "") + " | " +
          (m.supports_frame_axis() ? "all, band, frame" : "all, band") + " | " + (params.empty() ? "—" : params) +
          " |\n";
  }
  return md;
}

std::string to_string(MethodInput input) {
  return input == MethodInput::kLinearMagnitude ? "linear-magnitude" : "features";
}

std::string to_string(MethodKind kind) {
  switch (kind) {
    case MethodKind::kIdentity: return "identity";
    case MethodKind::kStatistics: return "statistics";
    case MethodKind::kFilter: return "filter";
  }
  return "unknown";
}

bool MethodInfo::needs_frame_rate() const {
  return std::any_of(params.begin(), params.end(),
                     [](const ParamSpec& p) { return p.source != ParamSource::kDefault; });
}

const ParamSpec* MethodInfo::param(std::string_view key) const {
  const auto it = std::find_if(params.begin(), params.end(), [key](const ParamSpec& p) { return p.name == key; });
  return it == params.end() ? nullptr : &*it;
}

NormalizeOptions in_context(NormalizeOptions options, const MethodContext& context) {
  for (const ParamSpec& p : find_method(options.method).params) {
    if (p.source == ParamSource::kSampleRate && context.sample_rate)
      options.params.try_emplace(p.name, *context.sample_rate);
    if (p.source == ParamSource::kHopLength && context.hop_length)
      options.params.try_emplace(p.name, *context.hop_length);
  }
  return options;
}

NormalizeOptions with_pipeline_defaults(NormalizeOptions options) {
  for (const ParamSpec& p : find_method(options.method).params)
    if (p.pipeline_default) options.params.try_emplace(p.name, *p.pipeline_default);
  return options;
}

}  // namespace melnorm
