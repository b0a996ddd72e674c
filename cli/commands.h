// The melnorm command's subcommands. Each registers itself on the app and
// returns the callback that runs it after parsing.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace melnorm::cli {

using Run = std::function<int()>;

Run add_mel_command(CLI::App& app);
Run add_info_command(CLI::App& app);
Run add_normalize_command(CLI::App& app);
Run add_fit_stats_command(CLI::App& app);
Run add_methods_command(CLI::App& app);
Run add_options_command(CLI::App& app);
Run add_presets_command(CLI::App& app);
Run add_extract_command(CLI::App& app);
Run add_show_command(CLI::App& app);
Run add_augment_command(CLI::App& app);
Run add_experiment_command(CLI::App& app);  // in melnorm-experiment (links libtorch)
Run add_train_command(CLI::App& app);
Run add_predict_command(CLI::App& app);  // in melnorm-experiment too (runs the saved network)

}  // namespace melnorm::cli
