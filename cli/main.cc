// melnorm: mel spectrograms and their normalization for CNN audio classifiers.
#include <CLI/CLI.hpp>

#include <iostream>
#include <vector>

#include "commands.h"
#include "mel_options.h"
#include "melnorm/error.h"
#include "melnorm/version.h"

int main(int argc, char** argv) {
  CLI::App app{"melnorm: audio -> mel spectrograms, normalized for CNN audio classifiers"};
  app.set_version_flag("--version", std::string("melnorm ") + melnorm::version());
  app.require_subcommand(1);
  std::vector<melnorm::cli::Run> commands = {
      melnorm::cli::add_mel_command(app),
      melnorm::cli::add_info_command(app),
      melnorm::cli::add_normalize_command(app),
      melnorm::cli::add_fit_stats_command(app),
      melnorm::cli::add_methods_command(app),
      melnorm::cli::add_extract_command(app),
      melnorm::cli::add_show_command(app),
#ifdef MELNORM_HAVE_EXPERIMENT
      melnorm::cli::add_train_command(app),
      melnorm::cli::add_experiment_command(app),
#endif
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    for (const auto& run : commands) {
      const int rc = run();
      if (rc >= 0) return rc;
    }
  } catch (const melnorm::Error& e) {
    const std::string flag = melnorm::cli::flag_for_param(e.param());
    std::cerr << "melnorm: error: " << (flag.empty() ? "" : flag + ": ") << e.what() << '\n';
    return e.code() == melnorm::ErrorCode::kInvalidArgument ? 2 : 1;
  } catch (const std::exception& e) {
    std::cerr << "melnorm: internal error: " << e.what() << '\n';
    return 70;
  }
  return 0;
}
