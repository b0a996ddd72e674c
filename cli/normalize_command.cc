// melnorm normalize IN.npy -o OUT.npy --method NAME [--scope local|global]
//   [--axis all|band|frame] [--stats STATS.json] [--lengths LENGTHS.npy] [--param NAME=VALUE ...]
#include <iostream>
#include <memory>

#include "commands.h"
#include "mel_options.h"
#include "melnorm/error.h"
#include "melnorm/normalize.h"
#include "melnorm/npy.h"
#include "melnorm/pipeline_options.h"
#include "melnorm/stats.h"

namespace melnorm::cli {
namespace {

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

struct NormalizeArgs {
  std::string input, output, method, scope = "local", axis = "all", stats, lengths;
  std::vector<std::string> params;
  bool quiet = false;
};

int run_normalize(const NormalizeArgs& a) {
  NormalizeOptions options{.method = a.method,
                           .scope = parse_scope(a.scope),
                           .axis = parse_axis(a.axis),
                           .params = parse_method_params(joined(a.params))};
  if (!a.stats.empty() && options.scope == Scope::kLocal)
    throw_invalid_argument(
        "stats", "--stats is used only with --scope global (local scope uses each spectrogram's own statistics)");
  std::optional<Stats> stats;
  if (!a.stats.empty()) stats = Stats::load(a.stats);
  const Normalizer normalizer(options, stats ? &*stats : nullptr);

  const NpyArray in = read_npy(a.input);
  const auto [B, F, T] = batch_shape(in.shape, a.input);
  std::vector<std::size_t> lengths;
  if (!a.lengths.empty()) {
    const NpyArray l = read_npy(a.lengths);
    if (l.shape.size() != 1 || l.shape[0] != B)
      throw Error(ErrorCode::kInvalidData, "lengths",
                  a.lengths + ": lengths must be 1-D with one entry per spectrogram (" + std::to_string(B) + ")");
    lengths = l.to_sizes("lengths");
  }
  std::vector<float> x = in.to_float32();
  normalizer.apply(BatchView{x.data(), B, F, T, lengths});
  write_npy(a.output, x, in.shape);
  if (!a.quiet)
    std::cout << a.output << ": " << B << " x [" << F << ", " << T << "] normalized with " << a.method << " ("
              << a.scope << ", axis " << a.axis << ")\n";
  return 0;
}

}  // namespace

Run add_normalize_command(CLI::App& app) {
  auto a = std::make_shared<NormalizeArgs>();
  CLI::App* cmd = app.add_subcommand("normalize", "Normalize spectrograms ([F, T] or [B, F, T] .npy) with one method");
  cmd->add_option("IN", a->input, "Input .npy: [F, T] or [B, F, T]")->required();
  cmd->add_option("-o,--output", a->output, "Output .npy (float32, same shape)")->required();
  cmd->add_option("--method", a->method, "Method: see `melnorm methods`")->required();
  cmd->add_option("--scope", a->scope, "local (each spectrogram's statistics) | global (fitted statistics)")
      ->capture_default_str();
  cmd->add_option("--axis", a->axis, "all | band (per mel band over time) | frame (per frame over bands)")
      ->capture_default_str();
  cmd->add_option("--stats", a->stats, "Statistics from `melnorm fit-stats` (scope global)");
  cmd->add_option("--lengths", a->lengths, "1-D .npy of valid frames per spectrogram; the rest is padding");
  cmd->add_option("--param", a->params, "Method parameter NAME=VALUE (repeatable), e.g. --param ddof=1");
  cmd->add_flag("-q,--quiet", a->quiet, "Print nothing on success");
  return [cmd, a]() -> int { return cmd->parsed() ? run_normalize(*a) : -1; };
}

}  // namespace melnorm::cli
