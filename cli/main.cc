// melnorm: mel spectrograms and their normalization for CNN audio classifiers.
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string_view>
#include <vector>

#include "commands.h"
#include "melnorm/allocator.h"
#include "melnorm/version.h"
#include "run_app.h"

namespace {

// `melnorm train|experiment|predict ...` runs melnorm-experiment from the same folder
// (as git runs git-<command>): only that program links libtorch, so the other
// commands start fast.
int exec_experiment(int argc, char** argv) {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  const auto helper = (ec ? std::filesystem::path(argv[0]) : self).parent_path() / "melnorm-experiment";
  std::vector<char*> args(argv, argv + argc);
  args.push_back(nullptr);
  ::execv(helper.c_str(), args.data());
  std::cerr << "melnorm: error: " << argv[1] << " needs " << helper.string() << " (" << std::strerror(errno)
            << "): build with -DMELNORM_BUILD_EXPERIMENT=ON (needs libtorch-dev)\n";
  return 2;
}

// train, experiment and predict as subcommands that only show in --help: main execs
// melnorm-experiment for them before parsing, so these are never run.
// (Descriptions as in experiment_command.cc.)
void add_experiment_help_entries(CLI::App& app) {
  app.add_subcommand("train", "Train and evaluate one CNN configuration (one method, BatchNorm axis and seed)")
      ->footer("Its options: melnorm train --help");
  app.add_subcommand("experiment", "Train and evaluate CNNs for every normalization x BatchNorm axis x seed")
      ->footer("Its options: melnorm experiment --help");
  app.add_subcommand("predict", "Classify audio files with a saved model (train --save-model DIR)")
      ->footer("Its options: melnorm predict --help");
}

}  // namespace

int main(int argc, char** argv) {
  melnorm::keep_freed_heap();
  if (argc > 1 && (std::string_view(argv[1]) == "train" || std::string_view(argv[1]) == "experiment" ||
                   std::string_view(argv[1]) == "predict"))
    return exec_experiment(argc, argv);
  CLI::App app{"melnorm: audio -> mel spectrograms, normalized for CNN audio classifiers"};
  app.set_version_flag("--version", std::string("melnorm ") + melnorm::version());
  app.require_subcommand(1);
  const std::vector<melnorm::cli::Run> commands = {
      melnorm::cli::add_mel_command(app),       melnorm::cli::add_info_command(app),
      melnorm::cli::add_normalize_command(app), melnorm::cli::add_fit_stats_command(app),
      melnorm::cli::add_methods_command(app),   melnorm::cli::add_options_command(app),
      melnorm::cli::add_presets_command(app),   melnorm::cli::add_extract_command(app),
      melnorm::cli::add_augment_command(app),
#ifdef MELNORM_HAS_RENDER  // pictures need cairo (CMake MELNORM_BUILD_RENDER)
      melnorm::cli::add_show_command(app),
#endif
  };
  add_experiment_help_entries(app);
  return melnorm::cli::run_app(app, commands, argc, argv);
}
