// melnorm methods [--json]: the normalization registry.
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

#include "commands.h"
#include "melnorm/extract.h"
#include "melnorm/normalize.h"
#include "melnorm/pipeline_options.h"
#include "melnorm/presets.h"

namespace melnorm::cli {
namespace {

int run_methods(bool json) {
  if (json) {
    nlohmann::ordered_json j = nlohmann::ordered_json::array();
    for (const auto& m : normalization_methods()) {
      nlohmann::ordered_json params = nlohmann::ordered_json::array();
      for (const auto& p : m.params)
        params.push_back({{"name", p.name},
                          {"default", p.default_value},
                          {"min", p.min},
                          {"max", p.max},
                          {"description", p.description}});
      j.push_back(
          {{"name", m.name},
           {"description", m.description},
           {"scopes", m.supports_global ? nlohmann::ordered_json{"local", "global"} : nlohmann::ordered_json{"local"}},
           {"params", params},
           {"input", to_string(m.input)},
           {"unit", m.unit},
           {"range", m.range},
           {"needs_frame_rate", m.needs_frame_rate()}});
    }
    std::cout << j.dump(2) << '\n';
    return 0;
  }
  for (const auto& m : normalization_methods()) {
    std::cout << m.name << (m.supports_global ? "" : "  (local only)") << "\n    " << m.description << '\n';
    for (const auto& p : m.params)
      std::cout << "    --param " << p.name << "=" << p.default_value << "  [" << p.min << ", " << p.max << "]  "
                << p.description << '\n';
  }
  return 0;
}

}  // namespace

// melnorm options [--json | --markdown]: the feature option schema (docs/options.md is its --markdown).
Run add_options_command(CLI::App& app) {
  auto format = std::make_shared<std::string>("text");
  CLI::App* cmd =
      app.add_subcommand("options", "List every feature option: flag, allowed values, default, fingerprint");
  cmd->add_flag_callback(
      "--json", [format] { *format = "json"; }, "Print as JSON");
  cmd->add_flag_callback(
      "--markdown", [format] { *format = "markdown"; }, "Print the Markdown table of docs/options.md");
  return [cmd, format]() -> int {
    if (!cmd->parsed()) return -1;
    if (*format == "json") std::cout << options_json() << '\n';
    else if (*format == "markdown")
      std::cout << "## Feature options\n\n"
                << options_markdown() << "\n## Extraction options (`melnorm extract`, `melnorm.extract`)\n\n"
                << options_markdown(extract_schema());
    else
      for (const auto* schema : {&pipeline_schema(), &extract_schema()})
        for (const OptionSpec& s : *schema)
          std::cout << s.flag << "  (" << s.name << ")  " << s.allowed << "; default " << s.default_text << "\n    "
                    << s.doc << '\n';
    return 0;
  };
}

Run add_presets_command(CLI::App& app) {
  auto format = std::make_shared<std::string>("text");
  CLI::App* cmd = app.add_subcommand("presets", "List the presets: what each reproduces and its option values");
  cmd->add_flag_callback(
      "--json", [format] { *format = "json"; }, "Print as JSON");
  cmd->add_flag_callback(
      "--markdown", [format] { *format = "markdown"; }, "Print the Markdown table of docs/presets.md");
  return [cmd, format]() -> int {
    if (!cmd->parsed()) return -1;
    if (*format == "json") std::cout << presets_json() << '\n';
    else if (*format == "markdown") std::cout << presets_markdown();
    else
      for (const PresetInfo& p : presets()) {
        std::cout << p.name << "  " << p.doc << "\n    reproduces: " << p.reproduces << "\n    ";
        for (const auto& [k, v] : p.values) std::cout << find_option(k).flag << ' ' << v << ' ';
        std::cout << '\n';
      }
    return 0;
  };
}

Run add_methods_command(CLI::App& app) {
  auto json = std::make_shared<bool>(false);
  auto markdown = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("methods", "List the normalization methods and their parameters");
  cmd->add_flag("--json", *json, "Print as JSON");
  cmd->add_flag("--markdown", *markdown, "Print the Markdown table of docs/normalization.md");
  return [cmd, json, markdown]() -> int {
    if (!cmd->parsed()) return -1;
    if (*markdown) {
      std::cout << methods_markdown();
      return 0;
    }
    return run_methods(*json);
  };
}

}  // namespace melnorm::cli
