// The figures in docs/normalization.md: what each local normalization does
// to real clips when the recording gets quieter, or gains one click.
//   build/bin/melnorm_normalization_effects [SAMPLES_DIR]   (default data/samples)
// Features: log-mel, librosa preset, dB with ref = 1 and no top_db (absolute
// levels, so the normalization has to remove the gain itself).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "melnorm/audio.h"
#include "melnorm/mel_spectrogram.h"
#include "melnorm/normalize.h"

namespace fs = std::filesystem;
using namespace melnorm;

namespace {

Matrix features(const MelSpectrogram& mel, std::vector<float> y, double gain_db, bool click) {
  const float g = static_cast<float>(std::pow(10.0, gain_db / 20.0));
  for (float& v : y) v *= g;
  if (click) y[y.size() / 2] = 1.0f;  // one full-scale sample
  return mel.compute(y);
}

std::vector<float> normalized(const Matrix& m, const std::string& method, Axis axis) {
  std::vector<float> x = m.data;
  Normalizer({.method = method, .axis = axis}).apply(BatchView{x.data(), 1, m.rows, m.cols});
  return x;
}

// Mean |a - b| in units of b's standard deviation: comparable across methods
// whose outputs have different scales ([0, 1] for min-max, z units for z-score).
double relative_change(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0, mean = 0, var = 0;
  for (float v : b) mean += v;
  mean /= static_cast<double>(b.size());
  for (float v : b) var += (v - mean) * (v - mean);
  const double sd = std::sqrt(var / static_cast<double>(b.size()));
  for (std::size_t i = 0; i < a.size(); ++i) s += std::abs(double(a[i]) - b[i]);
  return s / static_cast<double>(a.size()) / (sd > 0 ? sd : 1.0);
}

double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  double m = 0;
  for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(double(a[i]) - b[i]));
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  const fs::path dir = argc > 1 ? argv[1] : "data/samples";
  std::vector<fs::path> clips;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.path().extension() == ".wav") clips.push_back(e.path());
  std::sort(clips.begin(), clips.end());
  if (clips.empty()) {
    std::fprintf(stderr, "no .wav files under %s\n", dir.c_str());
    return 1;
  }
  const int sr = 8000;
  MelSpectrogramOptions o = preset_options(Preset::kLibrosa, sr);
  o.stft.n_fft = 512;
  o.stft.hop_length = 128;
  o.mel.n_mels = 40;
  o.db.reference = DbReference::kValue;
  o.db.top_db.reset();
  const MelSpectrogram mel(o);

  struct Row {
    std::string method;
    Axis axis;
    double quiet20 = 0, quiet40 = 0, click = 0;
  };
  std::vector<Row> rows;
  for (const auto& m : normalization_methods()) {
    if (m.name == "pcen") continue;
    rows.push_back({m.name, Axis::kAll});
    if (m.name == "zscore") rows.push_back({m.name, Axis::kBand});
  }
  rows.push_back({"none (dB)", Axis::kAll});
  double seed001_vs_minmax = 0;
  for (const auto& clip : clips) {
    const Audio a = load_audio(clip, {.sample_rate = sr});
    const Matrix clean = features(mel, a.samples, 0, false);
    const Matrix q20 = features(mel, a.samples, -20, false);
    const Matrix q40 = features(mel, a.samples, -40, false);
    const Matrix clicked = features(mel, a.samples, 0, true);
    for (Row& r : rows) {
      auto norm = [&](const Matrix& m) { return r.method == "none (dB)" ? m.data : normalized(m, r.method, r.axis); };
      const auto base = norm(clean);
      r.quiet20 += relative_change(norm(q20), base) / clips.size();
      r.quiet40 += relative_change(norm(q40), base) / clips.size();
      r.click += relative_change(norm(clicked), base) / clips.size();
    }
    seed001_vs_minmax = std::max(seed001_vs_minmax, max_abs_diff(normalized(clean, "zscore-minmax", Axis::kAll),
                                                                 normalized(clean, "minmax", Axis::kAll)));
  }
  std::printf("%zu clips from %s; log-mel (n_fft 512, hop 128, 40 mels, dB ref=1, no top_db).\n", clips.size(),
              dir.c_str());
  std::printf("Mean |change| of each value after normalization, in standard deviations of the clean\n");
  std::printf("clip's normalized values (0 = unaffected), averaged over the clips.\n\n");
  std::printf("| method (local) | axis | -20 dB gain | -40 dB gain | one full-scale click |\n");
  std::printf("| --- | --- | --- | --- | --- |\n");
  for (const Row& r : rows)
    std::printf("| %s | %s | %.4f | %.4f | %.4f |\n", r.method.c_str(), to_string(r.axis).c_str(), r.quiet20, r.quiet40,
                r.click);
  std::printf("\nzscore-minmax vs minmax, max |difference| over all clips: %.2e\n", seed001_vs_minmax);
  return 0;
}
