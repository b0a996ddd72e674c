// Helpers shared by the tests: temporary folders, running the CLI, writing
// audio files with libsndfile, and reading the reference cases.
#pragma once

#include <gtest/gtest.h>
#include <sndfile.h>
#include <unistd.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace melnorm::testing {

namespace fs = std::filesystem;

// A fresh folder, removed with its contents when the test ends.
class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ =
        fs::temp_directory_path() / ("melnorm-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

inline CommandResult run_command(const std::string& command) {
  CommandResult r;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  const int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

// Single-quoted for the shell. (Built with append: GCC 12 misreports
// "'" + s + "'" under -Wrestrict.)
inline std::string shell_quote(const fs::path& p) {
  std::string s(1, '\'');
  s.append(p.string()).push_back('\'');
  return s;
}

inline std::vector<float> sine(double freq, double sr, std::size_t n, double amp = 0.5) {
  std::vector<float> y(n);
  for (std::size_t i = 0; i < n; ++i) y[i] = static_cast<float>(amp * std::sin(2 * std::numbers::pi * freq * i / sr));
  return y;
}

inline std::vector<float> white_noise(std::size_t n, unsigned seed = 1, double amp = 0.3) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> u(static_cast<float>(-amp), static_cast<float>(amp));
  std::vector<float> y(n);
  for (float& v : y) v = u(gen);
  return y;
}

// Writes interleaved float frames with libsndfile; `format` is SF_FORMAT_*.
inline void write_audio(const fs::path& path, const std::vector<float>& interleaved, int channels, int sr, int format) {
  fs::create_directories(path.parent_path());
  SF_INFO info{};
  info.samplerate = sr;
  info.channels = channels;
  info.format = format;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  ASSERT_NE(f, nullptr) << "cannot write " << path << ": " << sf_strerror(nullptr);
  sf_writef_float(f, interleaved.data(), static_cast<sf_count_t>(interleaved.size() / channels));
  sf_close(f);
}

// A .npy file written byte by byte, with any header dict (write_npy only
// writes float32 in C order).
inline void write_raw_npy(const fs::path& path, std::string dict, const void* data, std::size_t bytes) {
  dict.append(64 - (10 + dict.size() + 1) % 64, ' ');
  dict.push_back('\n');
  std::ofstream out(path, std::ios::binary);
  out.write("\x93NUMPY\x01\x00", 8);
  const char len[2] = {char(dict.size() & 0xff), char(dict.size() >> 8)};
  out.write(len, 2);
  out << dict;
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(bytes));
}

// prefix + i + suffix (appended: GCC 12 misreports "a" + s + "b" under -Wrestrict).
inline std::string numbered(const char* prefix, long i, const char* suffix) {
  std::string s(prefix);
  return s.append(std::to_string(i)).append(suffix);
}

// Labelled tones in noise, a dataset a small CNN learns in a few epochs:
// per class 12 clips of 0.5 s at 8 kHz, DIR/corpus/LABEL/clipN.wav (label =
// folder), each a sine near the class's frequency. Returns DIR/corpus.
inline fs::path tone_corpus(const fs::path& dir, const std::vector<std::pair<std::string, double>>& classes = {
                                                     {"low", 300.0}, {"high", 2500.0}}) {
  for (int i = 0; i < 12; ++i) {
    for (const auto& [label, freq] : classes) {
      auto y = sine(freq * (1 + 0.02 * i), 8000, 4000, 0.3 + 0.02 * i);
      const auto n = white_noise(4000, static_cast<unsigned>(i + 1), 0.02);
      for (std::size_t k = 0; k < y.size(); ++k) y[k] += n[k];
      write_audio(dir / "corpus" / label / numbered("clip", i, ".wav"), y, 1, 8000, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    }
  }
  return dir / "corpus";
}

inline fs::path reference_dir() { return MELNORM_REFERENCE_DIR; }

// ||got - want|| / ||want|| (Frobenius), or ||got - want|| when want is all zeros.
inline double relative_frobenius(const std::vector<float>& got, const std::vector<float>& want) {
  double num = 0, den = 0;
  for (std::size_t i = 0; i < want.size(); ++i) {
    num += (double(got[i]) - want[i]) * (double(got[i]) - want[i]);
    den += double(want[i]) * want[i];
  }
  return den > 0 ? std::sqrt(num / den) : std::sqrt(num);
}
inline fs::path samples_dir() { return MELNORM_SAMPLES_DIR; }

}  // namespace melnorm::testing
