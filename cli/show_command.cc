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
#include "melnorm/pipeline.h"
#include "melnorm/render.h"

namespace melnorm::cli {
namespace {

struct ShowArgs {
  std::string input, output, stats, compare, title;
  OptionFlags flags;
};

// The axis label: the method's declared unit, or (none) the features' own.
std::string unit_of(const MethodInfo& method, const MelSpectrogramOptions& o) {
  if (!method.unit.empty()) return method.unit;
  if (!o.db.enabled) return o.power == 2.0 ? "power" : "magnitude";
  if (o.db.reference == DbReference::kValue) return "dB";
  return o.db.reference == DbReference::kMax ? "dB re max" : "dB re " + db_ref_name(o.db);
}

// Each panel's spectrogram: the file through the pipeline with that method.
Matrix panel_of(const Audio& audio, OptionValues values, const MethodInfo& method, const std::optional<Stats>& stats,
                const std::string& input) {
  values["normalize"] = method.name;
  PipelineOptions o = resolve_pipeline_options(values);
  if (!o.sample_rate) o = o.at_rate(audio.sample_rate);
  const bool global = o.normalize && o.normalize->scope == Scope::kGlobal;
  const Pipeline pipeline(o, global ? stats : std::nullopt);
  return std::move(pipeline.run(audio.samples, audio.sample_rate, input).front().features);
}

int run_show(const ShowArgs& a) {
  const OptionValues given = a.flags.given();
  PipelineOptions options = resolve_pipeline_options(given);
  std::vector<const MethodInfo*> methods;
  if (!a.compare.empty()) {
    std::stringstream ss(a.compare);
    for (std::string m; std::getline(ss, m, ',');) methods.push_back(&find_method(m.empty() ? "none" : m));
  } else {
    methods.push_back(options.normalize ? &find_method(options.normalize->method) : &no_normalization());
  }
  std::optional<Stats> stats;
  if (!a.stats.empty()) stats = Stats::load(a.stats);
  std::vector<Matrix> shown;
  if (is_npy_path(a.input) && read_npy(a.input).shape.size() == 2) {  // a spectrogram already made
    if (!options.sample_rate)
      throw_invalid_argument("sr", "sr is required to draw a .npy spectrogram: the rate of the audio it came from");
    const NpyArray arr = read_npy(a.input);
    options.mel.mel.n_mels = static_cast<int>(arr.shape[0]);
    for (const MethodInfo* method : methods) {
      Matrix m(arr.shape[0], arr.shape[1]);
      m.data = arr.to_float32();
      if (method->kind !=
          MethodKind::kIdentity) {  // the pipeline's normalization at its rate and hop, statistics checked
        PipelineOptions with_method = options;
        with_method.normalize = options.normalize.value_or(NormalizeOptions{});
        with_method.normalize->method = method->name;
        if (stats && with_method.normalize->scope == Scope::kGlobal) Pipeline(with_method).with_stats(*stats);
        Normalizer(normalization_at(with_method, *options.sample_rate), stats ? &*stats : nullptr)
            .apply(BatchView{m.data.data(), 1, m.rows, m.cols});
      }
      shown.push_back(std::move(m));
    }
  } else {
    // Any decoder's file; a .npy waveform is at --sr (load_audio refuses it without).
    const Audio audio = load_audio(a.input, {.sample_rate = options.sample_rate});
    if (!options.sample_rate) options = options.at_rate(audio.sample_rate);
    for (const MethodInfo* method : methods) {
      OptionValues values = given;
      if (!a.compare.empty()) values.erase("params");  // each method's own defaults
      shown.push_back(panel_of(audio, values, *method, stats, a.input));
    }
  }
  const MelSpectrogramOptions& mel = options.mel;
  PlotAxes axes{.sample_rate = mel.sample_rate, .hop_length = mel.stft.hop_length};
  const MelFilterbank fb(mel.sample_rate, mel.stft.n_fft, mel.mel);
  for (int m = 0; m < fb.n_mels(); ++m)
    axes.band_centres_hz.push_back(fb.band_edges_hz()[static_cast<std::size_t>(m) + 1]);
  std::vector<PlotPanel> panels;
  for (std::size_t i = 0; i < methods.size(); ++i) {
    const MethodInfo& method = *methods[i];
    std::string title = "log-mel";
    if (method.kind != MethodKind::kIdentity) {
      const NormalizeOptions n = options.normalize.value_or(NormalizeOptions{});
      title =
          method.name + " (" + to_string(n.scope) + (n.axis == Axis::kAll ? "" : ", per " + to_string(n.axis)) + ")";
    }
    panels.push_back({&shown[i], title, unit_of(method, mel)});
  }
  const std::string title = a.title.empty() ? std::filesystem::path(a.input).filename().string() : a.title;
  render_png(a.output, panels, axes, title);
  std::cout << a.output << ": " << panels.size() << " panel" << (panels.size() > 1 ? "s" : "") << '\n';
  return 0;
}

}  // namespace

Run add_show_command(CLI::App& app) {
  auto a = std::make_shared<ShowArgs>();
  CLI::App* cmd = app.add_subcommand(
      "show", "Draw a spectrogram (audio or .npy) as a PNG, optionally under several normalizations");
  cmd->add_option("INPUT", a->input, "Audio file, .npy waveform (1-D) or .npy spectrogram (2-D, needs --sr)")
      ->required();
  cmd->add_option("-o,--output", a->output, "PNG to write")->required();
  cmd->add_option("--stats", a->stats, "Statistics for --scope global");
  cmd->add_option("--compare", a->compare, "Comma-separated methods drawn side by side (none = the log-mel itself)");
  cmd->add_option("--title", a->title, "Title (default: the file name)");
  a->flags.add_to(*cmd, pipeline_schema(), stages_before(OptionStage::kOutput));
  return [cmd, a]() -> int { return cmd->parsed() ? run_show(*a) : -1; };
}

}  // namespace melnorm::cli
