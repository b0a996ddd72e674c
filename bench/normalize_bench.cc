// Normalization cost next to the spectrograms it normalizes, and the
// statistics fitting throughput. Run: build/bin/melnorm_normalize_bench
//   BM_Spectrograms_64x1000        computing 64 spectrograms of 1000 frames (the budget)
//   BM_Normalize/<method>/<scope>/<axis>  normalizing that [64, 128, 1000] batch
//   BM_FitStatsFromFiles           fit-stats' read + update path over .npy files (bytes/s)
#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>

#include "melnorm/mel_spectrogram.h"
#include "melnorm/normalize.h"
#include "melnorm/npy.h"
#include "melnorm/stats.h"

namespace {

constexpr std::size_t kB = 64, kF = 128, kT = 1000;

std::vector<float> db_like_batch() {
  std::vector<float> x(kB * kF * kT);
  std::mt19937 gen(1);
  std::normal_distribution<float> d(-40.0f, 15.0f);
  for (float& v : x) v = std::clamp(d(gen), -80.0f, 0.0f);
  return x;
}

void BM_Spectrograms_64x1000(benchmark::State& state) {
  const double sr = 22050;
  const melnorm::MelSpectrogram mel(melnorm::preset_options(melnorm::Preset::kLibrosa, sr));
  const std::size_t n = (kT - 1) * 512;  // 1000 frames each
  std::vector<float> y(n);
  std::mt19937 gen(2);
  std::normal_distribution<float> d(0.0f, 0.1f);
  for (float& v : y) v = d(gen);
  for (auto _ : state)
    for (std::size_t i = 0; i < kB; ++i) benchmark::DoNotOptimize(mel.compute(y).data.data());
}
BENCHMARK(BM_Spectrograms_64x1000)->Unit(benchmark::kMillisecond);

void BM_Normalize(benchmark::State& state, std::string method, melnorm::Scope scope, melnorm::Axis axis) {
  const std::vector<float> batch = db_like_batch();
  melnorm::Stats stats(kF);
  for (std::size_t i = 0; i < kB; ++i) stats.update(batch.data() + i * kF * kT, kF, kT);
  const melnorm::Normalizer n({.method = method, .scope = scope, .axis = axis},
                              scope == melnorm::Scope::kGlobal ? &stats : nullptr);
  std::vector<float> x;
  for (auto _ : state) {
    state.PauseTiming();
    x = batch;
    state.ResumeTiming();
    n.apply(melnorm::BatchView{x.data(), kB, kF, kT});
    benchmark::DoNotOptimize(x.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * batch.size() * sizeof(float)));
}

void register_normalize() {
  using melnorm::Axis;
  using melnorm::Scope;
  for (const auto& m : melnorm::normalization_methods()) {
    for (Scope scope : {Scope::kLocal, Scope::kGlobal}) {
      if (scope == Scope::kGlobal && !m.supports_global) continue;
      for (Axis axis : {Axis::kAll, Axis::kBand, Axis::kFrame}) {
        if (m.name == "pcen" && axis != Axis::kAll) continue;
        if (scope == Scope::kGlobal && axis == Axis::kFrame) continue;
        const std::string name = "BM_Normalize/" + m.name + "/" + to_string(scope) + "/" + to_string(axis);
        benchmark::RegisterBenchmark(name.c_str(), BM_Normalize, m.name, scope, axis)->Unit(benchmark::kMillisecond);
      }
    }
  }
}

// "f<i>.npy" (built with append: GCC 12 misreports "f" + s + ".npy" under -Wrestrict).
std::string file_name(std::size_t i) {
  std::string name = std::to_string(i);
  name.insert(0, 1, 'f');
  return name.append(".npy");
}

void BM_FitStatsFromFiles(benchmark::State& state) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "melnorm-bench-fitstats";
  fs::create_directories(dir);
  const std::vector<float> batch = db_like_batch();
  const std::size_t shape[] = {kF, kT};
  for (std::size_t i = 0; i < kB; ++i)
    melnorm::write_npy(dir / file_name(i), {batch.data() + i * kF * kT, kF * kT}, shape);
  std::vector<fs::path> files;
  for (std::size_t i = 0; i < kB; ++i) files.push_back(dir / file_name(i));
  for (auto _ : state) benchmark::DoNotOptimize(melnorm::fit_stats(files).count());  // warm page cache
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * batch.size() * sizeof(float)));
  fs::remove_all(dir);
}
BENCHMARK(BM_FitStatsFromFiles)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  register_normalize();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
