// melnorm mel INPUT -o OUT.npy [mel options]
#include <filesystem>
#include <iostream>
#include <memory>

#include "commands.h"
#include "mel_options.h"
#include "melnorm/audio.h"
#include "melnorm/error.h"
#include "melnorm/mel_spectrogram.h"
#include "melnorm/npy.h"
#include "melnorm/pcen.h"

namespace melnorm::cli {
namespace {

struct MelArgs {
  std::string input;
  std::string output;
  bool quiet = false;
  MelFlags mel;
};

int run_mel(const MelArgs& args) {
  Audio audio;
  if (is_npy_path(args.input)) {
    if (!args.mel.sr)
      throw_invalid_argument("sr", "--sr is required for a .npy waveform: it is the waveform's sample rate in Hz");
    audio = load_npy_waveform(args.input, *args.mel.sr);
  } else {
    LoadOptions load;
    load.sample_rate = args.mel.sr;
    audio = load_audio(args.input, load);
  }
  const MelSpectrogram mel(args.mel.resolve(audio.sample_rate));
  const std::optional<PcenOptions> pcen = args.mel.resolve_pcen(mel.options());
  Matrix spec = mel.compute(audio.samples);
  if (pcen) Pcen(*pcen, spec.rows).process(spec.data, spec.cols);
  const std::size_t shape[] = {spec.rows, spec.cols};
  write_npy(args.output, spec.data, shape);
  if (!args.quiet)
    std::cout << args.output << ": [" << spec.rows << ", " << spec.cols << "] float32 from "
              << audio.frames() << " samples at " << audio.sample_rate << " Hz\n";
  return 0;
}

}  // namespace

Run add_mel_command(CLI::App& app) {
  auto args = std::make_shared<MelArgs>();
  CLI::App* cmd = app.add_subcommand("mel", "Compute the (log-)mel spectrogram of one audio file or .npy waveform");
  cmd->add_option("INPUT", args->input, "Audio file (WAV, FLAC, OGG, MP3, ...) or .npy waveform")->required();
  cmd->add_option("-o,--output", args->output, "Output .npy: [n_mels, n_frames] float32")->required();
  cmd->add_flag("-q,--quiet", args->quiet, "Print nothing on success");
  args->mel.add_to(*cmd);
  return [cmd, args]() -> int { return cmd->parsed() ? run_mel(*args) : -1; };
}

}  // namespace melnorm::cli
