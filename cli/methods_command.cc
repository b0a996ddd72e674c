// melnorm methods [--json]: the normalization registry.
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

#include "commands.h"
#include "melnorm/normalize.h"

namespace melnorm::cli {
namespace {

int run_methods(bool json) {
  if (json) {
    nlohmann::ordered_json j = nlohmann::ordered_json::array();
    for (const auto& m : normalization_methods()) {
      nlohmann::ordered_json params = nlohmann::ordered_json::array();
      for (const auto& p : m.params)
        params.push_back({{"name", p.name}, {"default", p.default_value}, {"min", p.min}, {"max", p.max},
                          {"description", p.description}});
      j.push_back({{"name", m.name}, {"description", m.description},
                   {"scopes", m.supports_global ? nlohmann::ordered_json{"local", "global"} : nlohmann::ordered_json{"local"}},
                   {"params", params}});
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

Run add_methods_command(CLI::App& app) {
  auto json = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("methods", "List the normalization methods and their parameters");
  cmd->add_flag("--json", *json, "Print as JSON");
  return [cmd, json]() -> int { return cmd->parsed() ? run_methods(*json) : -1; };
}

}  // namespace melnorm::cli
