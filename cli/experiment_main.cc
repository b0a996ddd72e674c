// melnorm-experiment: `melnorm train` and `melnorm experiment` (melnorm runs
// this program for them), the one program that links libtorch.
#include <CLI/CLI.hpp>

#include <vector>

#include "commands.h"
#include "melnorm/allocator.h"
#include "melnorm/version.h"
#include "run_app.h"

int main(int argc, char** argv) {
  melnorm::keep_freed_heap();
  CLI::App app{"melnorm train / melnorm experiment: CNNs on mel spectrograms, per normalization and BatchNorm axis"};
  app.name("melnorm");
  app.set_version_flag("--version", std::string("melnorm ") + melnorm::version());
  app.require_subcommand(1);
  const std::vector<melnorm::cli::Run> commands = {
      melnorm::cli::add_train_command(app),
      melnorm::cli::add_experiment_command(app),
      melnorm::cli::add_predict_command(app),
  };
  return melnorm::cli::run_app(app, commands, argc, argv);
}
