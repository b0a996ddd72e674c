// Parses the command line and runs the chosen subcommand, turning
// melnorm::Error into one line naming the flag and an exit status (2: invalid
// option, 1: unusable file, 70: internal error). Shared by melnorm and
// melnorm-experiment.
#pragma once

#include <CLI/CLI.hpp>

#include <iostream>
#include <vector>

#include "commands.h"
#include "mel_options.h"
#include "melnorm/error.h"

namespace melnorm::cli {

inline int run_app(CLI::App& app, const std::vector<Run>& commands, int argc, char** argv) {
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
  } catch (const Error& e) {
    const std::string flag = flag_for_param(e.param());
    std::cerr << "melnorm: error: " << (flag.empty() ? "" : flag + ": ") << e.what() << '\n';
    return e.code() == ErrorCode::kInvalidArgument ? 2 : 1;
  } catch (const std::exception& e) {
    std::cerr << "melnorm: internal error: " << e.what() << '\n';
    return 70;
  }
  return 0;
}

}  // namespace melnorm::cli
