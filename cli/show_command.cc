// melnorm show INPUT -o OUT.png [mel options] [--normalize METHOD [--scope ...] [--axis ...]
//   [--stats STATS.json] [--param NAME=VALUE]] [--compare METHOD,METHOD,...] [--title TEXT]
#include <iostream>
#include <memory>
#include <sstream>

#include "commands.h"
#include "mel_options.h"
#include "melnorm/audio.h"
#include "melnorm/error.h"
#include "melnorm/mel_spectrogram.h"
#include "melnorm/normalize.h"
#include "melnorm/npy.h"
#include "melnorm/render.h"

namespace melnorm::cli {
namespace {

struct ShowArgs {
  std::string input, output, normalize, scope = "local", axis = "all", stats, compare, title;
  std::vector<std::string> params;
  MelFlags mel;
};

std::string unit_of(const std::string& method, const MelSpectrogramOptions& o) {
  if (method.empty()) {
    if (!o.db.enabled) return o.power == 2.0 ? "power" : "magnitude";
    if (o.db.reference == DbReference::kValue) return "dB";
    return o.db.reference == DbReference::kMax ? "dB re max" : "dB re " + db_ref_name(o.db);
  }
  if (method == "zscore" || method == "robust-zscore") return "z-score";
  if (method == "pcen") return "PCEN";
  return "0..1";
}

int run_show(const ShowArgs& a) {
  // The spectrogram: from audio, a .npy waveform (1-D) or a .npy spectrogram (2-D).
  Matrix spec, magnitude;  // magnitude: the linear (power 1) mel spectrogram PCEN works on
  MelSpectrogramOptions options;
  if (is_npy_path(a.input) && read_npy(a.input).shape.size() == 2) {
    if (!a.mel.sr)
      throw_invalid_argument("sr", "--sr is required to draw a .npy spectrogram: the rate of the audio it came from");
    const NpyArray arr = read_npy(a.input);
    options = a.mel.resolve(*a.mel.sr);
    options.mel.n_mels = static_cast<int>(arr.shape[0]);
    spec.rows = arr.shape[0];
    spec.cols = arr.shape[1];
    spec.data = arr.to_float32();
  } else {
    if (is_npy_path(a.input) && !a.mel.sr)
      throw_invalid_argument("sr", "--sr is required for a .npy waveform: it is the waveform's sample rate in Hz");
    Audio audio = is_npy_path(a.input) ? load_npy_waveform(a.input, *a.mel.sr)
                                       : load_audio(a.input, {.sample_rate = a.mel.sr});
    options = a.mel.resolve(audio.sample_rate);
    spec = MelSpectrogram(options).compute(audio.samples);
    MelSpectrogramOptions linear = options;
    linear.power = 1.0;
    linear.db.enabled = false;
    magnitude = MelSpectrogram(linear).compute(audio.samples);
  }
  PlotAxes axes{.sample_rate = options.sample_rate, .hop_length = options.stft.hop_length};
  const MelFilterbank fb(options.sample_rate, options.stft.n_fft, options.mel);
  for (int m = 0; m < fb.n_mels(); ++m) axes.band_centres_hz.push_back(fb.band_edges_hz()[static_cast<std::size_t>(m) + 1]);

  std::vector<std::string> methods;
  if (!a.compare.empty()) {
    std::stringstream ss(a.compare);
    for (std::string m; std::getline(ss, m, ',');) methods.push_back(m == "none" ? "" : m);
  } else {
    methods.push_back(a.normalize);
  }
  std::optional<Stats> stats;
  if (!a.stats.empty()) stats = Stats::load(a.stats);
  const MethodParams params = parse_method_params(a.params);
  std::vector<Matrix> shown;
  std::vector<PlotPanel> panels;
  shown.reserve(methods.size());
  for (const auto& method : methods) {
    Matrix m = method == "pcen" && !magnitude.data.empty() ? magnitude : spec;
    std::string title = "log-mel";
    if (!method.empty()) {
      NormalizeOptions n{.method = method, .scope = parse_scope(a.scope), .axis = parse_axis(a.axis),
                         .params = a.compare.empty() ? params : MethodParams{}};
      if (method == "pcen")  // as `melnorm mel --pcen`: magnitudes scaled by 2**31, the clip's rate and hop
        n.params = {{"sr", options.sample_rate}, {"hop_length", options.stft.hop_length}, {"input_scale", 2147483648.0}};
      Normalizer(n, stats ? &*stats : nullptr).apply(BatchView{m.data.data(), 1, m.rows, m.cols});
      title = method + " (" + a.scope + (a.axis == "all" ? "" : ", per " + a.axis) + ")";
    }
    shown.push_back(std::move(m));
    panels.push_back({&shown.back(), title, unit_of(method, options)});
  }
  const std::string title = a.title.empty() ? std::filesystem::path(a.input).filename().string() : a.title;
  render_png(a.output, panels, axes, title);
  std::cout << a.output << ": " << panels.size() << " panel" << (panels.size() > 1 ? "s" : "") << '\n';
  return 0;
}

}  // namespace

Run add_show_command(CLI::App& app) {
  auto a = std::make_shared<ShowArgs>();
  CLI::App* cmd = app.add_subcommand("show", "Draw a spectrogram (audio or .npy) as a PNG, optionally under several normalizations");
  cmd->add_option("INPUT", a->input, "Audio file, .npy waveform (1-D) or .npy spectrogram (2-D, needs --sr)")->required();
  cmd->add_option("-o,--output", a->output, "PNG to write")->required();
  cmd->add_option("--normalize", a->normalize, "Normalization method to apply first");
  cmd->add_option("--scope", a->scope, "local | global")->capture_default_str();
  cmd->add_option("--axis", a->axis, "all | band | frame")->capture_default_str();
  cmd->add_option("--stats", a->stats, "Statistics for --scope global");
  cmd->add_option("--param", a->params, "Method parameter NAME=VALUE (repeatable)");
  cmd->add_option("--compare", a->compare, "Comma-separated methods drawn side by side (none = the log-mel itself)");
  cmd->add_option("--title", a->title, "Title (default: the file name)");
  a->mel.add_to(*cmd);
  return [cmd, a]() -> int { return cmd->parsed() ? run_show(*a) : -1; };
}

}  // namespace melnorm::cli
