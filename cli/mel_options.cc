#include "mel_options.h"

#include <algorithm>
#include <string_view>

#include "melnorm/extract.h"

namespace melnorm::cli {

void OptionFlags::add_to(CLI::App& app, const std::vector<OptionSpec>& schema,
                         const std::function<bool(const OptionSpec&)>& keep) {
  for (const OptionSpec& spec : schema) {
    if (keep && !keep(spec)) continue;
    const std::string help = spec.doc + (spec.unit.empty() ? "" : " (" + spec.unit + ")") + "; " + spec.allowed +
                             "; default " + spec.default_text;
    if (spec.flag[0] != '-') {  // positional
      app.add_option(spec.flag, values_[spec.name], help)->required();
    } else if (spec.flag == "-o") {
      app.add_option("-o,--output", values_[spec.name], help)->required();
    } else if (spec.name == "params") {
      app.add_option(spec.flag, params_, help + " (repeatable NAME=VALUE)");
    } else if (spec.kind == OptionKind::kBool) {
      app.add_flag_callback(
          spec.flag, [this, name = spec.name] { values_[name] = "true"; }, help);
      if (spec.default_text == "true")
        app.add_flag_callback(
            "--no-" + spec.flag.substr(2), [this, name = spec.name] { values_[name] = "false"; },
            "the opposite of " + spec.flag);
    } else {
      app.add_option_function<std::string>(
          spec.flag, [this, name = spec.name](const std::string& v) { values_[name] = v; }, help);
    }
  }
}

OptionValues OptionFlags::given() const {
  OptionValues out;
  for (const auto& [name, value] : values_)
    if (!value.empty()) out[name] = value;
  std::string joined;
  for (const auto& p : params_) joined += (joined.empty() ? "" : ",") + p;
  if (!joined.empty()) out["params"] = joined;
  return out;
}

std::string flag_for_param(const std::string& param) {
  for (const auto* schema : {&pipeline_schema(), &extract_schema()})
    for (const OptionSpec& s : *schema)
      if (s.name == param) return s.flag;
  // The few command-specific flags that library errors name.
  static const std::map<std::string, std::string> others = {
      {"method", "--method"},
      {"lengths", "--lengths"},
      {"db_refs", "--db-refs"},
      {"db_floors", "--db-floors"},
      {"eval_bits", "--eval-bits"},
      {"train_click", "--train-click"},
      {"methods", "--methods"},
      {"top_k", "--top-k"},
      {"aggregate", "--aggregate"},
      {"save_model", "--save-model"},
      {"save_models", "--save-models"},
      // the training perturbations (melnorm/augment.h), named as Python's melnorm.augment keywords
      {"gain_db", "--train-gain"},
      {"bits", "--train-bits"},
      {"tpdf_dither", "--train-dither"},
      {"noise_snr_db", "--train-noise"},
      {"noise_color", "--train-noise-color"}};
  const auto it = others.find(param);
  return it == others.end() ? std::string() : it->second;
}

std::string render_flag(std::string_view name, std::string_view value) {
  std::string flag = flag_for_param(std::string(name));
  if (flag.empty()) {  // a command's own flag: the keyword's spelling
    flag = "--" + std::string(name);
    std::replace(flag.begin(), flag.end(), '_', '-');
  }
  return value.empty() || value == "true" ? flag : flag + " " + std::string(value);
}

std::function<bool(const OptionSpec&)> stages_before(OptionStage stage) {
  return [stage](const OptionSpec& s) { return s.stage < stage; };
}

}  // namespace melnorm::cli
