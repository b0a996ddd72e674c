// melnorm info FILE [--json]
#include <nlohmann/json.hpp>

#include <iomanip>
#include <iostream>
#include <memory>

#include "commands.h"
#include "melnorm/audio.h"

namespace melnorm::cli {
namespace {

struct InfoArgs {
  std::string path;
  bool json = false;
};

int run_info(const InfoArgs& args) {
  nlohmann::ordered_json j;
  j["path"] = args.path;
  const AudioInfo info = audio_info(args.path);
  j["format"] = info.format;
  j["subtype"] = info.subtype;
  if (info.sample_rate > 0) j["sample_rate"] = info.sample_rate;  // .npy waveforms store none
  j["channels"] = info.channels;
  j["frames"] = info.frames;
  if (info.sample_rate > 0) j["duration"] = info.duration;
  if (args.json) {
    std::cout << j.dump(2) << '\n';
    return 0;
  }
  for (const auto& [key, value] : j.items()) {
    std::cout << std::left << std::setw(12) << (key + ":") << ' ';
    if (key == "duration") std::cout << std::fixed << std::setprecision(3) << value.get<double>() << " s\n";
    else if (value.is_string()) std::cout << value.get<std::string>() << '\n';
    else std::cout << value.dump() << '\n';
  }
  return 0;
}

}  // namespace

Run add_info_command(CLI::App& app) {
  auto args = std::make_shared<InfoArgs>();
  CLI::App* cmd = app.add_subcommand("info", "Show an audio file's rate, channels, frames, duration and format");
  cmd->add_option("FILE", args->path, "Audio file: " + audio_formats_description())->required();
  cmd->add_flag("--json", args->json, "Print as JSON");
  return [cmd, args]() -> int { return cmd->parsed() ? run_info(*args) : -1; };
}

}  // namespace melnorm::cli
