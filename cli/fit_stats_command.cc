// melnorm fit-stats INPUT... -o STATS.json
#include <algorithm>
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

// The .npy files named or found (recursively, sorted) under the inputs.
std::vector<fs::path> collect(const std::vector<std::string>& inputs) {
  std::vector<fs::path> files;
  for (const auto& input : inputs) {
    std::error_code ec;
    if (fs::is_directory(input, ec)) {
      std::vector<fs::path> found;
      for (const auto& e : fs::recursive_directory_iterator(input, ec))
        if (e.is_regular_file() && is_npy_path(e.path())) found.push_back(e.path());
      if (ec) throw Error(ErrorCode::kIo, "path", input + ": cannot list folder: " + ec.message());
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::exists(input, ec)) {
      files.emplace_back(input);
    } else {
      throw Error(ErrorCode::kIo, "path", input + ": no such file or folder");
    }
  }
  if (files.empty()) throw Error(ErrorCode::kInvalidData, "path", "no .npy feature files found in the inputs");
  return files;
}

int run_fit_stats(const FitStatsArgs& a) {
  const std::vector<fs::path> files = collect(a.inputs);
  std::optional<Stats> stats;
  std::size_t spectrograms = 0;
  for (const auto& file : files) {
    const NpyArray in = read_npy(file);
    if (in.shape.size() != 2 && in.shape.size() != 3)
      throw Error(ErrorCode::kInvalidData, "X",
                  file.string() + ": features must be [F, T] or [B, F, T], got a " + std::to_string(in.shape.size()) + "-D array");
    const bool batched = in.shape.size() == 3;
    const std::size_t B = batched ? in.shape[0] : 1, F = in.shape[batched], T = in.shape[batched + 1];
    if (!stats) stats.emplace(F, Fingerprint{{"n_mels", std::to_string(F)}});
    if (F != stats->n_bands())
      throw Error(ErrorCode::kInvalidData, "n_mels",
                  file.string() + ": has " + std::to_string(F) + " bands, the files before it " + std::to_string(stats->n_bands()));
    const std::vector<float> x = in.to_float32();
    try {
      for (std::size_t i = 0; i < B; ++i) stats->update(x.data() + i * F * T, F, T);
    } catch (const Error& e) {
      throw Error(e.code(), e.param(), file.string() + ": " + e.what());
    }
    spectrograms += B;
  }
  stats->save(a.output);
  if (!a.quiet) {
    const Moments& m = stats->overall();
    std::cout << a.output << ": " << spectrograms << " spectrograms from " << files.size() << " files, "
              << m.count << " values; mean " << std::setprecision(6) << m.mean << ", std " << m.stddev()
              << ", min " << m.min << ", max " << m.max << '\n';
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
