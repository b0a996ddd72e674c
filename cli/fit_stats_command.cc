// melnorm fit-stats INPUT... -o STATS.json
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>

#include "commands.h"
#include "melnorm/error.h"
#include "melnorm/npy.h"
#include "melnorm/stats.h"

namespace melnorm::cli {
namespace {

namespace fs = std::filesystem;

struct FitStatsArgs {
  std::vector<std::string> inputs;
  std::string output;
  bool quiet = false;
};

int run_fit_stats(const FitStatsArgs& a) {
  const std::vector<fs::path> files = find_npy_files(a.inputs);
  FitSummary summary;
  const Stats stats = fit_stats(files, &summary);
  stats.save(a.output);
  if (!a.quiet) {
    const Moments& m = stats.overall();
    std::cout << a.output << ": " << summary.spectrograms << " spectrograms from " << summary.files << " files, "
              << m.count << " values; mean " << std::setprecision(6) << m.mean << ", std " << m.stddev() << ", min "
              << m.min << ", max " << m.max << '\n';
  }
  return 0;
}

}  // namespace

Run add_fit_stats_command(CLI::App& app) {
  auto a = std::make_shared<FitStatsArgs>();
  CLI::App* cmd = app.add_subcommand("fit-stats", "Fit dataset statistics (per band and overall) on .npy features");
  cmd->add_option("INPUT", a->inputs, ".npy feature files ([F, T] or [B, F, T]) or folders of them (recursive)")
      ->required();
  cmd->add_option("-o,--output", a->output, "Statistics file (JSON)")->required();
  cmd->add_flag("-q,--quiet", a->quiet, "Print nothing on success");
  return [cmd, a]() -> int { return cmd->parsed() ? run_fit_stats(*a) : -1; };
}

}  // namespace melnorm::cli
