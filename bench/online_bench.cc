// Streaming features: CPU time per second of 16 kHz audio for chunk sizes
// from 1 sample to 1 s, the time one accept() takes to emit a frame (median,
// p99), the algorithmic latency, and the offline Pipeline on the same audio.
//   build-stream/bin/melnorm_online_bench [seconds=60] [repeats=5]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "melnorm/online_mel_spectrogram.h"
#include "melnorm/pipeline.h"

namespace {

using melnorm::OnlineMelSpectrogram;
using melnorm::Pipeline;

constexpr int kRate = 16000;

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

double wall_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

std::vector<float> test_audio(double seconds) {
  const auto n = static_cast<std::size_t>(seconds * kRate);
  std::mt19937 gen(1);
  std::normal_distribution<float> noise(0.0f, 0.05f);
  std::vector<float> y(n);
  for (std::size_t i = 0; i < n; ++i)
    y[i] =
        static_cast<float>(0.3 * std::sin(2 * std::numbers::pi * 440.0 * static_cast<double>(i) / kRate)) + noise(gen);
  return y;
}

// The best of `repeats` CPU times of f().
template <class F>
double best_cpu(int repeats, F&& f) {
  double best = 1e300;
  for (int r = 0; r < repeats; ++r) {
    const double t0 = cpu_seconds();
    f();
    best = std::min(best, cpu_seconds() - t0);
  }
  return best;
}

double stream_all(OnlineMelSpectrogram& online, const std::vector<float>& y, std::size_t chunk) {
  online.reset();
  std::size_t frames = 0;
  for (std::size_t i = 0; i < y.size(); i += chunk)
    frames += online.accept(y.data() + i, std::min(chunk, y.size() - i)).cols;
  frames += online.finish().cols;
  return static_cast<double>(frames);
}

// Wall time of each accept() that emits a frame, feeding `chunk` samples at a time: median and p99, microseconds.
std::pair<double, double> per_frame_micros(OnlineMelSpectrogram& online, const std::vector<float>& y,
                                           std::size_t chunk) {
  online.reset();
  std::vector<double> times;
  for (std::size_t i = 0; i < y.size(); i += chunk) {
    const double t0 = wall_seconds();
    const std::size_t frames = online.accept(y.data() + i, std::min(chunk, y.size() - i)).cols;
    const double dt = wall_seconds() - t0;
    if (frames > 0) times.push_back(1e6 * dt / static_cast<double>(frames));
  }
  online.finish();
  std::sort(times.begin(), times.end());
  return {times[times.size() / 2], times[std::min(times.size() - 1, times.size() * 99 / 100)]};
}

void report(const std::string& name, const melnorm::OptionValues& options, const std::vector<float>& y, int repeats) {
  const Pipeline pipeline(melnorm::resolve_pipeline_options(options));
  OnlineMelSpectrogram online(pipeline);
  const double seconds = static_cast<double>(y.size()) / kRate;
  const double offline = best_cpu(repeats, [&] { pipeline.run(y, kRate); });
  std::printf("%s: n_fft %d, hop %zu; algorithmic latency %zu samples = %.1f ms (look-ahead %zu + hop - 1)\n",
              name.c_str(), pipeline.options().mel.stft.n_fft, online.hop_length(), online.latency_samples(),
              1e3 * static_cast<double>(online.latency_samples()) / kRate, online.lookahead_samples());
  std::printf("  offline Pipeline::run       %8.2f ms CPU per s of audio\n", 1e3 * offline / seconds);
  for (std::size_t chunk : {std::size_t{1}, std::size_t{160}, std::size_t{1600}, std::size_t{16000}}) {
    const double t = best_cpu(repeats, [&] { stream_all(online, y, chunk); });
    const auto [median, p99] = per_frame_micros(online, y, chunk);
    std::printf(
        "  stream, chunks of %5zu     %8.2f ms CPU per s of audio (%.2fx offline); accept() per frame: median %.1f us, "
        "p99 %.1f us\n",
        chunk, 1e3 * t / seconds, t / offline, median, p99);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 60.0;
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 5;
  const std::vector<float> y = test_audio(seconds);
  std::printf("%.0f s of 16 kHz audio, best of %d runs, one thread\n", seconds, repeats);
  const melnorm::OptionValues db{{"sr", std::to_string(kRate)}, {"db", "ref1"}, {"top_db", "none"}};
  melnorm::OptionValues librosa = db, torchaudio = db,
                        pcen{{"sr", std::to_string(kRate)}, {"preset", "torchaudio"}, {"normalize", "pcen"}};
  torchaudio["preset"] = "torchaudio";
  report("librosa preset, db=ref1", librosa, y, repeats);
  report("torchaudio preset, db=ref1", torchaudio, y, repeats);
  report("torchaudio preset, normalize=pcen", pcen, y, repeats);
  return 0;
}
