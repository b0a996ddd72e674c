// Pipeline::run_file decodes and frames a file block by block: the same bytes
// as run(load(path)) for every option set that streams, and the whole-file
// path (the same bytes by construction) for those that do not.
#include <gtest/gtest.h>
#include <sndfile.h>

#include <cmath>
#include <cstring>
#include <fstream>

#include "melnorm/audio.h"
#include "melnorm/error.h"
#include "melnorm/pipeline.h"
#include "pipeline/file_stream.h"
#include "test_util.h"

namespace melnorm {
namespace {

using testing::TempDir;
namespace fs = std::filesystem;

// A 2-channel file of nine decode blocks and a part (65536 frames each; above kStreamFromSamples), not a
// multiple of the hop.
fs::path long_stereo(const TempDir& dir, int sr, int format, const std::string& name) {
  const std::size_t frames = 9 * 65536 + 12345;
  static_assert(2 * (9 * 65536 + 12345) > detail::kStreamFromSamples);
  std::vector<float> y(frames * 2);
  std::vector<float> a = testing::white_noise(frames, 3, 0.2), b = testing::white_noise(frames, 4, 0.5);
  for (std::size_t i = 0; i < frames; ++i) {
    const double t = static_cast<double>(i) / sr;
    y[2 * i] = a[i] + static_cast<float>(0.3 * std::sin(2 * M_PI * 440 * t));
    y[2 * i + 1] = i < frames / 3 ? 0.0f : b[i];  // a silent start on one channel
  }
  const fs::path path = dir / name;
  testing::write_audio(path, y, 2, sr, format);
  return path;
}

void expect_same_as_whole(const OptionValues& given, const fs::path& path, bool expect_streamed = true) {
  SCOPED_TRACE(path.filename().string());
  const Pipeline p(resolve_pipeline_options(given));
  const Audio audio = p.load(path);
  const std::vector<PipelineRow> whole = p.run(audio.samples, audio.sample_rate, path.string());
  std::size_t n = 0;
  if (expect_streamed) EXPECT_TRUE(detail::stream_front_end(p.options(), path, n, 0).has_value());
  Decoded decoded;
  const std::vector<PipelineRow> streamed = p.run_file(path, &decoded);
  EXPECT_EQ(decoded.samples, audio.frames());
  EXPECT_EQ(decoded.sample_rate, audio.sample_rate);
  if (p.options().layout == Layout::kBinsFirst) {  // before normalization too: what statistics are fitted on
    const std::vector<PipelineRow> plain = p.run_unnormalized(audio.samples, audio.sample_rate, path.string());
    const std::vector<PipelineRow> file = p.run_file_unnormalized(path);
    ASSERT_EQ(file[0].features.data.size(), plain[0].features.data.size());
    EXPECT_EQ(std::memcmp(file[0].features.data.data(), plain[0].features.data.data(),
                          plain[0].features.data.size() * sizeof(float)),
              0);
  }
  ASSERT_EQ(streamed.size(), whole.size());
  ASSERT_EQ(streamed[0].features.rows, whole[0].features.rows);
  ASSERT_EQ(streamed[0].features.cols, whole[0].features.cols);
  EXPECT_EQ(std::memcmp(streamed[0].features.data.data(), whole[0].features.data.data(),
                        whole[0].features.data.size() * sizeof(float)),
            0);
}

TEST(RunFile, StreamedFeaturesAreTheWholeClipsBytesForEveryStreamableOptionSet) {
  TempDir dir;
  const fs::path wav = long_stereo(dir, 22050, SF_FORMAT_WAV | SF_FORMAT_PCM_16, "a.wav");
  const fs::path flac = long_stereo(dir, 16000, SF_FORMAT_FLAC | SF_FORMAT_PCM_24, "b.flac");
  const std::vector<OptionValues> at_22050 = {
      {{"preset", "librosa"}, {"sr", "22050"}},
      {{"preset", "librosa"}, {"sr", "22050"}, {"db", "max"}, {"top_db", "80"}},
      {{"preset", "librosa"}, {"sr", "22050"}, {"fft_precision", "double"}, {"normalize", "zscore"}},
      {{"preset", "librosa"}, {"sr", "22050"}, {"normalize", "minmax"}, {"axis", "band"}},
      {{"preset", "librosa"}, {"sr", "22050"}, {"db", "off"}, {"normalize", "pcen"}},
      {{"preset", "librosa"}, {"sr", "22050"}, {"db", "p99.5"}, {"db_floor", "noise"}},
      {{"preset", "torchaudio"}, {"sr", "22050"}, {"db", "off"}},
      {{"preset", "librosa"}, {"sr", "22050"}, {"center", "false"}, {"n_fft", "1024"}, {"hop_length", "300"}},
      {{"preset", "librosa"}, {"sr", "22050"}, {"pad_mode", "constant"}, {"layout", "time_first"}},
  };
  for (const auto& given : at_22050) expect_same_as_whole(given, wav);
  const std::vector<OptionValues> at_16000 = {
      {{"preset", "kaldi"}},
      {{"preset", "beats"}, {"target_frames", "none"}},
      {{"preset", "kaldi"}, {"snip_edges", "false"}, {"dither", "1"}, {"dither_seed", "5"}},
      {{"preset", "librosa"}, {"sr", "16000"}, {"n_mels", "40"}},
  };
  for (const auto& given : at_16000) expect_same_as_whole(given, flac);
}

TEST(RunFile, WhatCannotStreamIsLoadedWholeWithTheSameResult) {
  TempDir dir;
  const fs::path wav = long_stereo(dir, 22050, SF_FORMAT_WAV | SF_FORMAT_FLOAT, "a.wav");
  std::size_t n = 0;
  // Another rate (resampled first), a segment, pad_to: no streamed front end, the whole-file path.
  for (const OptionValues& given :
       std::vector<OptionValues>{{{"preset", "librosa"}, {"sr", "16000"}},
                                 {{"preset", "librosa"}, {"sr", "22050"}, {"segment", "2"}},
                                 {{"preset", "librosa"}, {"sr", "22050"}, {"pad_to", "1"}}}) {
    const PipelineOptions o = resolve_pipeline_options(given);
    EXPECT_FALSE(detail::stream_front_end(o, wav, n, 0).has_value());
    expect_same_as_whole(given, wav, false);
  }
}

TEST(RunFile, AnEmptyOrBrokenFileIsRefusedAsTheWholeFilePathRefusesIt) {
  TempDir dir;
  const fs::path empty = dir / "empty.wav";
  testing::write_audio(empty, {}, 1, 22050, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  const Pipeline p(resolve_pipeline_options({{"preset", "librosa"}, {"sr", "22050"}}));
  try {
    (void)p.run_file(empty);
    FAIL() << "an empty file was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("contains no audio"), std::string::npos) << e.what();
  }
  const fs::path junk = dir / "junk.wav";
  std::ofstream(junk) << "not audio at all";
  EXPECT_THROW((void)p.run_file(junk), Error);
  EXPECT_THROW((void)p.run_file(dir / "missing.wav"), Error);
}

}  // namespace
}  // namespace melnorm
