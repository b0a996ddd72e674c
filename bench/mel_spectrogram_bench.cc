// Spectrogram throughput, single thread. x_realtime = seconds of audio
// processed per second of compute. Run: build/bin/melnorm_bench
#include <benchmark/benchmark.h>

#include <cmath>
#include <numbers>
#include <random>

#include "melnorm/mel_spectrogram.h"

namespace {

// Noise plus a sweeping tone: every band busy, nothing special-cased.
std::vector<float> test_signal(double seconds, double sr) {
  const std::size_t n = static_cast<std::size_t>(seconds * sr);
  std::vector<float> y(n);
  std::mt19937 gen(42);
  std::normal_distribution<float> noise(0.0f, 0.05f);
  double phase = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double f = 100.0 + 4000.0 * (0.5 + 0.5 * std::sin(2 * std::numbers::pi * i / (5.0 * sr)));
    phase += 2 * std::numbers::pi * f / sr;
    y[i] = static_cast<float>(0.3 * std::sin(phase)) + noise(gen);
  }
  return y;
}

void run(benchmark::State& state, melnorm::Preset preset, double sr, double seconds) {
  const auto y = test_signal(seconds, sr);
  const melnorm::MelSpectrogram mel(melnorm::preset_options(preset, sr));  // dB: ref=max, top_db 80
  for (auto _ : state) {
    melnorm::Matrix m = mel.compute(y);
    benchmark::DoNotOptimize(m.data.data());
  }
  state.counters["x_realtime"] = benchmark::Counter(seconds, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["frames/s"] =
      benchmark::Counter(static_cast<double>(mel.n_frames(y.size())), benchmark::Counter::kIsIterationInvariantRate);
}

// The target: 600 s at 22.05 kHz, librosa preset, --db max.
void BM_Librosa_22k_600s(benchmark::State& s) { run(s, melnorm::Preset::kLibrosa, 22050, 600); }
void BM_Torchaudio_16k_600s(benchmark::State& s) { run(s, melnorm::Preset::kTorchaudio, 16000, 600); }
// A keyword-spotting sized clip: per-call overhead matters here.
void BM_Librosa_16k_1s(benchmark::State& s) { run(s, melnorm::Preset::kLibrosa, 16000, 1); }

BENCHMARK(BM_Librosa_22k_600s)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_Torchaudio_16k_600s)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_Librosa_16k_1s)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
