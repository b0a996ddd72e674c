// melnorm augment INPUT -o OUT.npy [--sr R] [--train-gain MIN:MAX] [--train-bits B [--train-dither]]
//   [--train-noise MIN:MAX [--train-noise-color pink]] [--seed S] [--epoch E] [--clip C]
// One training perturbation of one file: the waveform `experiment --train-...`
// trains on for (its run's seed, the epoch, the clip's row), as float32 .npy.
#include <cstdint>
#include <iostream>
#include <memory>

#include "augment_flags.h"
#include "commands.h"
#include "melnorm/audio.h"
#include "melnorm/error.h"
#include "melnorm/npy.h"

namespace melnorm::cli {
namespace {

struct AugmentArgs {
  std::string input, output;
  std::optional<int> sr;
  std::uint64_t seed = 1, epoch = 1, clip = 0;
  bool quiet = false;
  AugmentFlags flags;
};

int run_augment(const AugmentArgs& a) {
  const std::vector<Augmentation> perturbations = a.flags.augmentations();
  if (perturbations.empty())
    throw_invalid_argument("gain_db", "give a perturbation: " + param_text("gain_db", "MIN:MAX") + ", " +
                                          param_text("bits", "B") + " or " + param_text("noise_snr_db", "MIN:MAX"));
  const Audio audio = load_audio(a.input, {.sample_rate = a.sr});
  const std::vector<float> y = augment(audio.samples, perturbations.front(), a.seed, a.epoch, a.clip);
  const std::vector<std::size_t> shape = {y.size()};
  write_npy(a.output, y, shape);
  if (!a.quiet)
    std::cout << a.output << ": " << y.size() << " samples at " << audio.sample_rate << " Hz, "
              << perturbations.front().name() << " (seed " << a.seed << ", epoch " << a.epoch << ", clip " << a.clip
              << ")\n";
  return 0;
}

}  // namespace

Run add_augment_command(CLI::App& app) {
  auto a = std::make_shared<AugmentArgs>();
  CLI::App* cmd = app.add_subcommand(
      "augment", "Write one training perturbation of an audio file (what experiment --train-... trains on)");
  cmd->add_option("INPUT", a->input, "Audio file: " + audio_formats_description())->required();
  cmd->add_option("-o,--output", a->output, "Output .npy: the perturbed mono waveform, float32")->required();
  cmd->add_option("--sr", a->sr, "Resample to this rate first (default: the file's)");
  cmd->add_option("--seed", a->seed, "The run's seed (experiment --seeds)")->capture_default_str();
  cmd->add_option("--epoch", a->epoch, "The epoch (1-based, as the experiment counts)")->capture_default_str();
  cmd->add_option("--clip", a->clip, "The clip's row in the experiment's dataset")->capture_default_str();
  cmd->add_flag("-q,--quiet", a->quiet, "Print nothing on success");
  a->flags.add_to(*cmd, false);
  return [cmd, a]() -> int { return cmd->parsed() ? run_augment(*a) : -1; };
}

}  // namespace melnorm::cli
