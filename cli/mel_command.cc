// melnorm mel INPUT -o OUT.npy [feature options] [--stats STATS.json]
// One file through the feature pipeline: the same bytes `extract` writes for it.
#include <filesystem>
#include <iostream>
#include <memory>

#include "commands.h"
#include "mel_options.h"
#include "melnorm/audio.h"
#include "melnorm/error.h"
#include "melnorm/npy.h"
#include "melnorm/pipeline.h"

namespace melnorm::cli {
namespace {

struct MelArgs {
  std::string input, output, stats;
  bool quiet = false;
  OptionFlags flags;
};

int run_mel(const MelArgs& args) {
  PipelineOptions options = resolve_pipeline_options(args.flags.given());
  std::optional<Stats> stats;
  if (!args.stats.empty()) stats = Stats::load(args.stats);
  // Without sr, the file's rate becomes the pipeline's (its header's; a .npy waveform needs sr: load says so).
  if (!options.sample_rate)
    options = options.at_rate(stores_sample_rate(args.input) ? audio_info(args.input).sample_rate
                                                             : load_audio(args.input).sample_rate);
  const Pipeline pipeline(options, std::move(stats));
  Decoded audio;
  std::vector<float> data;  // the rows, one after the other
  std::size_t F = 0, T = 0, n_rows = 0;
  const std::size_t expected =  // rows the header promises: reserved once (no doubling of a long output)
      options.segment && stores_sample_rate(args.input)
          ? pipeline.n_rows(audio_info(args.input).frames, *options.sample_rate)
          : 1;
  // Segments as the decoder reaches them (a long recording streams); otherwise the one row of run_file.
  audio = pipeline.for_each_file_row(args.input, true, [&](PipelineRow&& r) {
    F = r.features.rows, T = r.features.cols, ++n_rows;
    if (n_rows == 1 && options.segment) data.reserve(expected * F * T);
    if (data.empty() && !options.segment) data = std::move(r.features.data);
    else data.insert(data.end(), r.features.data.begin(), r.features.data.end());
  });
  std::vector<std::size_t> shape = {F, T};
  if (options.segment) shape.insert(shape.begin(), n_rows);
  write_npy(args.output, data, shape, options.dtype);
  if (!args.quiet) {
    std::cout << args.output << ": [";
    for (std::size_t i = 0; i < shape.size(); ++i) std::cout << (i ? ", " : "") << shape[i];
    std::cout << "] " << to_string(options.dtype) << " from " << audio.samples << " samples at " << audio.sample_rate
              << " Hz\n";
  }
  return 0;
}

}  // namespace

Run add_mel_command(CLI::App& app) {
  auto args = std::make_shared<MelArgs>();
  CLI::App* cmd = app.add_subcommand("mel", "Compute the (log-)mel spectrogram of one audio file or .npy waveform");
  cmd->add_option("INPUT", args->input, "Audio file: " + audio_formats_description())->required();
  cmd->add_option("-o,--output", args->output,
                  "Output .npy: [n_mels, n_frames] ([segments, n_mels, n_frames] with --segment)")
      ->required();
  cmd->add_option("--stats", args->stats, "Statistics for --scope global (from fit-stats or extract --fit-stats)");
  cmd->add_flag("-q,--quiet", args->quiet, "Print nothing on success");
  args->flags.add_to(*cmd, pipeline_schema());
  return [cmd, args]() -> int { return cmd->parsed() ? run_mel(*args) : -1; };
}

}  // namespace melnorm::cli
