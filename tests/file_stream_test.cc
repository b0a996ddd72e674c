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
#include "melnorm/extract.h"
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
  if (expect_streamed) { EXPECT_TRUE(detail::stream_front_end(p.options(), path, n, 0).has_value()); }
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
  // A segment, pad_to: no streamed front end, the whole-file path.
  for (const OptionValues& given :
       std::vector<OptionValues>{{{"preset", "librosa"}, {"sr", "22050"}, {"segment", "2"}},
                                 {{"preset", "librosa"}, {"sr", "22050"}, {"pad_to", "1"}}}) {
    const PipelineOptions o = resolve_pipeline_options(given);
    EXPECT_FALSE(detail::stream_front_end(o, wav, n, 0).has_value());
    expect_same_as_whole(given, wav, false);
  }
}

// A file at another rate than the pipeline's is resampled block by block: soxr gives the same samples however
// its input is split, so the features are the whole-file resample()'s, bytes and length, down and up.
TEST(RunFile, AFileAtAnotherRateIsResampledAsItStreamsWithTheWholeFilesBytes) {
  TempDir dir;
  const fs::path wav = long_stereo(dir, 22050, SF_FORMAT_WAV | SF_FORMAT_PCM_16, "a.wav");
  for (const OptionValues& given : std::vector<OptionValues>{{{"preset", "librosa"}, {"sr", "16000"}},
                                                             {{"preset", "librosa"}, {"sr", "48000"}},
                                                             {{"preset", "kaldi"}, {"sr", "44100"}},
                                                             {{"sr", "8000"}, {"n_fft", "512"}, {"db", "max"}}})
    expect_same_as_whole(given, wav, true);
  // Segments too.
  const Pipeline p(resolve_pipeline_options({{"preset", "librosa"}, {"sr", "16000"}, {"segment", "3"}}));
  const Audio audio = p.load(wav);
  const auto whole = p.run(audio.samples, audio.sample_rate);
  std::vector<PipelineRow> rows;
  const Decoded d = p.for_each_file_row(wav, true, [&](PipelineRow&& r) { rows.push_back(std::move(r)); });
  EXPECT_EQ(d.samples, audio.frames());
  ASSERT_EQ(rows.size(), whole.size());
  for (std::size_t k = 0; k < rows.size(); ++k) EXPECT_EQ(rows[k].features.data, whole[k].features.data) << k;
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

namespace melnorm {
namespace {

// for_each_file_row: a long file cut into segments streams (segment by segment as decoded) and gives
// run()'s rows on the loaded waveform, byte for byte, with their offsets: hops equal to, shorter and
// longer than the segment, another layout, a normalization.
TEST(ForEachFileRow, StreamedSegmentsAreTheWholeClipsRowsAndOffsets) {
  TempDir dir;
  const fs::path wav = long_stereo(dir, 22050, SF_FORMAT_WAV | SF_FORMAT_PCM_16, "a.wav");
  const std::vector<OptionValues> cases = {
      {{"preset", "librosa"}, {"sr", "22050"}, {"segment", "2"}},
      {{"preset", "librosa"}, {"sr", "22050"}, {"segment", "2"}, {"segment_hop", "0.75"}, {"normalize", "zscore"}},
      {{"preset", "librosa"}, {"sr", "22050"}, {"segment", "1.5"}, {"segment_hop", "4"}, {"db", "max"}},
      {{"preset", "kaldi"}, {"sr", "22050"}, {"segment", "3"}},
  };
  for (const auto& given : cases) {
    const Pipeline p(resolve_pipeline_options(given));
    std::size_t n = 0, pieces = 0;
    EXPECT_TRUE(detail::stream_segments(p.options(), wav, n, [&](std::size_t, std::span<const float>) { ++pieces; }));
    const Audio audio = p.load(wav);
    const std::vector<PipelineRow> whole = p.run(audio.samples, audio.sample_rate, wav.string());
    EXPECT_EQ(pieces, whole.size());
    std::vector<PipelineRow> streamed;
    const Decoded d = p.for_each_file_row(wav, true, [&](PipelineRow&& r) { streamed.push_back(std::move(r)); });
    EXPECT_EQ(d.samples, audio.frames());
    ASSERT_EQ(streamed.size(), whole.size());
    ASSERT_GT(whole.size(), 2u);
    for (std::size_t k = 0; k < whole.size(); ++k) {
      EXPECT_EQ(streamed[k].offset, whole[k].offset) << k;
      ASSERT_EQ(streamed[k].features.data.size(), whole[k].features.data.size());
      EXPECT_EQ(std::memcmp(streamed[k].features.data.data(), whole[k].features.data.data(),
                            whole[k].features.data.size() * sizeof(float)),
                0)
          << k;
    }
  }
}

// A segment longer than the file: the one zero-padded row of cut_clip; a short file is loaded whole.
TEST(ForEachFileRow, ASegmentLongerThanTheFileIsOnePaddedRowAsCutClipGives) {
  TempDir dir;
  const fs::path wav = long_stereo(dir, 16000, SF_FORMAT_WAV | SF_FORMAT_FLOAT, "b.wav");
  const Pipeline p(resolve_pipeline_options({{"sr", "16000"}, {"segment", "60"}, {"n_fft", "512"}}));
  std::vector<PipelineRow> rows;
  p.for_each_file_row(wav, true, [&](PipelineRow&& r) { rows.push_back(std::move(r)); });
  const Audio audio = p.load(wav);
  const auto whole = p.run(audio.samples, audio.sample_rate);
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_EQ(whole.size(), 1u);
  EXPECT_EQ(rows[0].features.data, whole[0].features.data);
  std::size_t n = 0;
  testing::write_audio(dir / "short.wav", testing::white_noise(8000, 1, 0.1), 1, 16000,
                       SF_FORMAT_WAV | SF_FORMAT_FLOAT);
  EXPECT_FALSE(detail::stream_segments(p.options(), dir / "short.wav", n, [](std::size_t, std::span<const float>) {}));
}

// extract --segment of a long recording writes its segments as they are decoded (ExtractWorker::streams):
// the rows of run() on the loaded waveform, in npy and packed, beside a short clip, with 1 and 2 jobs,
// and a fit of global statistics on them equal to one on the whole rows.
TEST(ForEachFileRow, ExtractWritesALongRecordingsSegmentsAsTheWholeClipsRows) {
  TempDir dir;
  fs::create_directories(dir / "in" / "a");
  long_stereo(dir, 22050, SF_FORMAT_WAV | SF_FORMAT_PCM_16, "in/a/long.wav");
  testing::write_audio(dir / "in" / "a" / "short.wav", testing::white_noise(30000, 2, 0.1), 1, 22050,
                       SF_FORMAT_WAV | SF_FORMAT_FLOAT);
  const OptionValues given = {{"preset", "librosa"}, {"sr", "22050"}, {"segment", "2"}};
  const Pipeline p(resolve_pipeline_options(given));
  std::vector<PipelineRow> want;
  for (const char* name : {"long.wav", "short.wav"}) {
    const Audio a = p.load(dir / "in" / "a" / name);
    for (auto& r : p.run(a.samples, a.sample_rate)) want.push_back(std::move(r));
  }
  for (const char* format : {"npy", "packed"})
    for (const char* jobs : {"1", "2"}) {
      SCOPED_TRACE(std::string(format) + " jobs " + jobs);
      OptionValues v = given;
      v["input"] = (dir / "in").string(), v["out_dir"] = (dir / (std::string(format) + jobs)).string();
      v["format"] = format, v["jobs"] = jobs;
      const ExtractOptions o = resolve_extract_options(v);
      ASSERT_TRUE(ExtractWorker(ExtractPlan(o), nullptr).streams(0));  // long.wav lists first
      ASSERT_FALSE(ExtractWorker(ExtractPlan(o), nullptr).streams(1));
      const ExtractSummary s = extract_dataset(o);
      EXPECT_EQ(s.rows, want.size());
      EXPECT_EQ(s.failed, 0u);
      const OutdirReader r(o.out_dir);
      ASSERT_EQ(r.size(), want.size());
      for (std::size_t k = 0; k < want.size(); ++k) EXPECT_EQ(r.features(k).data, want[k].features.data) << k;
    }
}

}  // namespace
}  // namespace melnorm
