// Streaming features: chunks of any size give the offline pipeline's frames.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "melnorm/error.h"
#include "melnorm/online_mel_spectrogram.h"
#include "melnorm/pipeline.h"
#include "test_util.h"

namespace melnorm {
namespace {

constexpr int kRate = 16000;

// Silences library warnings (n_fft longer than the input) while alive.
class QuietWarnings {
 public:
  QuietWarnings() : previous_(set_warning_handler([](std::string_view) {})) {}
  ~QuietWarnings() { set_warning_handler(previous_); }

 private:
  WarningHandler previous_;
};

// 1.3 s of a chirp-like mix and noise; an odd length so the last frames are partial.
std::vector<float> test_signal(std::size_t n = 20817) {
  std::vector<float> y = testing::white_noise(n, 7, 0.05);
  const std::vector<float> a = testing::sine(440, kRate, n, 0.4), b = testing::sine(3100, kRate, n, 0.2);
  for (std::size_t i = 0; i < n; ++i) y[i] += a[i] + (i > n / 2 ? b[i] : 0.0f);
  return y;
}

Pipeline pipeline_of(OptionValues options, std::optional<Stats> stats = std::nullopt) {
  options.emplace("sr", std::to_string(kRate));
  return Pipeline(resolve_pipeline_options(options), std::move(stats));
}

Matrix offline(const Pipeline& p, const std::vector<float>& y) { return p.run(y, kRate).at(0).features; }

// Appends b's columns to a.
void append_frames(Matrix& a, const Matrix& b) {
  ASSERT_EQ(a.rows, b.rows);
  Matrix c(a.rows, a.cols + b.cols);
  for (std::size_t r = 0; r < a.rows; ++r) {
    std::copy(a.row(r).begin(), a.row(r).end(), c.row(r).begin());
    std::copy(b.row(r).begin(), b.row(r).end(), c.row(r).begin() + static_cast<std::ptrdiff_t>(a.cols));
  }
  a = std::move(c);
}

// Every frame the stream emits, feeding `y` in chunks of `chunk` samples.
Matrix streamed(OnlineMelSpectrogram& online, const std::vector<float>& y, std::size_t chunk) {
  Matrix all(online.n_mels(), 0);
  for (std::size_t i = 0; i < y.size(); i += chunk)
    append_frames(all, online.accept(y.data() + i, std::min(chunk, y.size() - i)));
  append_frames(all, online.finish());
  return all;
}

// Same shape, every value within 1e-6 relative (in practice the same floats).
void expect_same(const Matrix& got, const Matrix& want) {
  ASSERT_EQ(got.rows, want.rows);
  ASSERT_EQ(got.cols, want.cols);
  std::size_t bad = 0;
  for (std::size_t i = 0; i < want.data.size(); ++i) {
    const double a = got.data[i], b = want.data[i];
    if (std::fabs(a - b) > 1e-6 * std::max(std::fabs(a), std::fabs(b)) && bad++ < 3)
      ADD_FAILURE() << "value " << i << " (band " << i / want.cols << ", frame " << i % want.cols << "): " << a
                    << " vs " << b;
  }
  EXPECT_EQ(bad, 0u);
}

void expect_stream_equals_offline(const Pipeline& p, const std::vector<float>& y, OnlineOptions online_options = {}) {
  const Matrix want = offline(p, y);
  OnlineMelSpectrogram online(p, online_options);
  for (std::size_t chunk : {1, 7, 160, 4096}) {
    SCOPED_TRACE("chunk " + std::to_string(chunk));
    online.reset();
    expect_same(streamed(online, y, chunk), want);
    EXPECT_EQ(online.frames_emitted(), want.cols);
  }
}

TEST(OnlineMelSpectrogram, FramesEqualOfflineForEveryPresetPadModeAndCenter) {
  const std::vector<float> y = test_signal();
  for (const char* preset : {"librosa", "torchaudio"})
    for (const char* center : {"true", "false"})
      for (const char* pad_mode : {"constant", "reflect"})
        for (const char* db : {"ref1", "off"}) {
          SCOPED_TRACE(std::string(preset) + " center=" + center + " pad_mode=" + pad_mode + " db=" + db);
          expect_stream_equals_offline(
              pipeline_of(
                  {{"preset", preset}, {"center", center}, {"pad_mode", pad_mode}, {"db", db}, {"top_db", "none"}}),
              y);
        }
}

TEST(OnlineMelSpectrogram, MagnitudeDbAndOddFftEqualOffline) {
  const std::vector<float> y = test_signal(9001);
  expect_stream_equals_offline(pipeline_of({{"preset", "torchaudio"},
                                            {"power", "1"},
                                            {"db", "ref1"},
                                            {"top_db", "none"},
                                            {"db_floor", "relative"},
                                            {"fft_precision", "single"}}),
                               y);
  expect_stream_equals_offline(pipeline_of({{"n_fft", "511"},
                                            {"win_length", "300"},
                                            {"hop_length", "97"},
                                            {"pad_mode", "reflect"},
                                            {"n_mels", "40"},
                                            {"db", "off"}}),
                               y);
  // A hop longer than the window: frames skip samples.
  expect_stream_equals_offline(pipeline_of({{"n_fft", "256"}, {"hop_length", "700"}, {"n_mels", "32"}, {"db", "off"}}),
                               y);
}

TEST(OnlineMelSpectrogram, PcenCarriesItsStateAndEqualsOffline) {
  const std::vector<float> y = test_signal();
  for (const char* preset : {"librosa", "torchaudio"}) {
    SCOPED_TRACE(preset);
    expect_stream_equals_offline(pipeline_of({{"preset", preset}, {"normalize", "pcen"}}), y);
  }
}

// Statistics fitted on other clips, as `melnorm fit-stats` fits them.
Stats fitted_stats(const Pipeline& p) {
  Stats stats(static_cast<std::size_t>(p.options().mel.mel.n_mels), p.features_fingerprint());
  for (unsigned seed : {1u, 2u, 3u}) {
    const Matrix m = p.run_unnormalized(testing::white_noise(12000, seed, 0.2), kRate).at(0).features;
    stats.update(m.data.data(), m.rows, m.cols);
  }
  return stats;
}

TEST(OnlineMelSpectrogram, GlobalNormalizationWithStatsEqualsOffline) {
  const std::vector<float> y = test_signal();
  for (const char* method : {"zscore", "robust"})
    for (const char* axis : {"all", "band"}) {
      SCOPED_TRACE(std::string(method) + " axis=" + axis);
      const OptionValues o{
          {"db", "ref1"}, {"top_db", "none"}, {"normalize", method}, {"scope", "global"}, {"axis", axis}};
      const Pipeline unfitted = pipeline_of(o);
      expect_stream_equals_offline(pipeline_of(o, fitted_stats(unfitted)), y);
    }
}

TEST(OnlineMelSpectrogram, LocalPerFrameNormalizationEqualsOffline) {
  expect_stream_equals_offline(
      pipeline_of(
          {{"preset", "torchaudio"}, {"db", "ref1"}, {"top_db", "none"}, {"normalize", "zscore"}, {"axis", "frame"}}),
      test_signal());
}

TEST(OnlineMelSpectrogram, LocalNormalizationOverTheLastFramesIsCausal) {
  const std::vector<float> y = test_signal();
  const OptionValues o{{"preset", "torchaudio"}, {"db", "ref1"}, {"top_db", "none"}, {"normalize", "zscore"}};
  const Pipeline p = pipeline_of(o),
                 unnormalized = pipeline_of({{"preset", "torchaudio"}, {"db", "ref1"}, {"top_db", "none"}});
  const Matrix linear = offline(unnormalized, y), whole = offline(p, y);
  // A window longer than the clip: the last frame sees every frame, as offline.
  OnlineMelSpectrogram long_window(p, {.window_frames = 10000});
  const Matrix got = streamed(long_window, y, 160);
  ASSERT_EQ(got.cols, whole.cols);
  for (std::size_t b = 0; b < got.rows; ++b) EXPECT_NEAR(got(b, got.cols - 1), whole(b, whole.cols - 1), 1e-5);
  // A window of 4 frames: frame t is the offline method applied to frames t-3..t.
  OnlineMelSpectrogram short_window(p, {.window_frames = 4});
  const Matrix windowed = streamed(short_window, y, 7);
  const Normalizer zscore(NormalizeOptions{});
  for (std::size_t t : {std::size_t{0}, std::size_t{2}, std::size_t{50}, got.cols - 1}) {
    const std::size_t from = t >= 3 ? t - 3 : 0, n = t - from + 1;
    Matrix w(linear.rows, n);
    for (std::size_t b = 0; b < w.rows; ++b)
      for (std::size_t j = 0; j < n; ++j) w(b, j) = linear(b, from + j);
    zscore.apply(BatchView{w.data.data(), 1, w.rows, n});
    for (std::size_t b = 0; b < w.rows; ++b)
      EXPECT_FLOAT_EQ(windowed(b, t), w(b, n - 1)) << "frame " << t << " band " << b;
  }
}

TEST(OnlineMelSpectrogram, ChunksOfRandomSizesEqualOneChunk) {
  const std::vector<float> y = test_signal();
  const Pipeline p = pipeline_of({{"preset", "torchaudio"}, {"normalize", "pcen"}});
  OnlineMelSpectrogram online(p);
  const Matrix whole = streamed(online, y, y.size());
  online.reset();
  std::mt19937 gen(3);
  Matrix pieces(online.n_mels(), 0);
  for (std::size_t i = 0; i < y.size();) {
    const std::size_t n = std::min<std::size_t>(y.size() - i, std::uniform_int_distribution<std::size_t>(0, 900)(gen));
    append_frames(pieces, online.accept(y.data() + i, n));
    i += n;
  }
  append_frames(pieces, online.finish());
  expect_same(pieces, whole);
}

TEST(OnlineMelSpectrogram, StreamsShorterThanThePaddingEqualOffline) {
  for (const char* pad_mode : {"constant", "reflect"})
    for (std::size_t n : {1, 2, 100, 1024, 1025, 3000}) {
      SCOPED_TRACE(std::string(pad_mode) + " n=" + std::to_string(n));
      QuietWarnings quiet;
      expect_stream_equals_offline(pipeline_of({{"pad_mode", pad_mode}, {"db", "off"}}), test_signal(n));
    }
}

TEST(OnlineMelSpectrogram, EmptyAndTooShortStreamsAreRefusedAsOffline) {
  const Pipeline p = pipeline_of({{"db", "off"}});
  OnlineMelSpectrogram online(p);
  EXPECT_THROW(offline(p, {}), Error);
  try {
    online.finish();
    FAIL() << "an empty stream gave frames";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidData);
    EXPECT_EQ(e.param(), "y");
    EXPECT_NE(std::string(e.what()).find("empty"), std::string::npos) << e.what();
  }
  const Pipeline no_center = pipeline_of({{"db", "off"}, {"center", "false"}});
  const std::vector<float> y = test_signal(1000);  // shorter than n_fft 2048
  EXPECT_THROW(offline(no_center, y), Error);
  OnlineMelSpectrogram short_stream(no_center);
  EXPECT_EQ(short_stream.accept(y).cols, 0u);
  try {
    short_stream.finish();
    FAIL() << "a stream shorter than n_fft without centring gave frames";
  } catch (const Error& e) { EXPECT_EQ(e.param(), "n_fft"); }
}

TEST(OnlineMelSpectrogram, NanSamplesAreRefusedAndLeaveTheStreamAsItWas) {
  const std::vector<float> y = test_signal(5000);
  const Pipeline p = pipeline_of({{"db", "off"}});
  OnlineMelSpectrogram online(p);
  Matrix got = online.accept(y.data(), 3000);
  std::vector<float> bad(10, 0.1f);
  bad[4] = std::numeric_limits<float>::quiet_NaN();
  try {
    online.accept(bad);
    FAIL() << "NaN accepted";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_EQ(e.param(), "y");
    EXPECT_NE(m.find("NaN"), std::string::npos) << m;
    EXPECT_NE(m.find("3000"), std::string::npos) << m;  // where in the stream the chunk starts
  }
  EXPECT_EQ(online.samples_accepted(), 3000u);
  append_frames(got, online.accept(y.data() + 3000, y.size() - 3000));
  append_frames(got, online.finish());
  expect_same(got, offline(p, y));
  EXPECT_THROW(online.accept(y), Error);  // finished
  EXPECT_THROW(online.finish(), Error);
}

// The error's option and message for options a stream refuses.
std::pair<std::string, std::string> refusal(const OptionValues& o, OnlineOptions online = {},
                                            std::optional<Stats> stats = std::nullopt) {
  try {
    OnlineMelSpectrogram s(pipeline_of(o, std::move(stats)), online);
  } catch (const Error& e) { return {e.param(), e.what()}; }
  return {"", "(accepted)"};
}

TEST(OnlineMelSpectrogram, WholeClipOptionsAreRefusedNamingThem) {
  struct Case {
    OptionValues options;
    OnlineOptions online;
    std::string param;
  };
  const std::vector<Case> cases = {
      {{}, {}, "db"},  // the defaults: db=max, top_db=80
      {{{"db", "p99.5"}, {"top_db", "none"}}, {}, "db"},
      {{{"db", "ref1"}}, {}, "top_db"},
      {{{"db", "off"}, {"pad_to", "1"}}, {}, "pad_to"},
      {{{"db", "off"}, {"segment", "0.5"}}, {}, "segment"},
      {{{"db", "off"}, {"normalize", "zscore"}}, {}, "scope"},
      {{{"db", "off"}, {"normalize", "minmax"}, {"axis", "band"}}, {}, "scope"},
      {{{"db", "off"}, {"normalize", "zscore"}}, {.window_frames = 0}, "window_frames"},
      {{{"db", "off"}}, {.window_frames = 10}, "window_frames"},
      {{{"db", "off"}}, {.sample_rate = 22050}, "sr"},
      {{{"db", "off"}, {"normalize", "zscore"}, {"scope", "global"}}, {}, "stats"},
  };
  for (const Case& c : cases) {
    const auto [param, message] = refusal(c.options, c.online);
    EXPECT_EQ(param, c.param) << message;
    EXPECT_NE(message.find("allowed"), std::string::npos) << message;
  }
}

TEST(OnlineMelSpectrogram, PipelineWithoutRateTakesTheStreamsRate) {
  const PipelineOptions shared = resolve_pipeline_options({{"db", "off"}, {"preset", "torchaudio"}});
  EXPECT_THROW(OnlineMelSpectrogram{Pipeline(shared)}, Error);
  OnlineMelSpectrogram online(Pipeline(shared), {.sample_rate = kRate});
  EXPECT_EQ(online.sample_rate(), kRate);
  const std::vector<float> y = test_signal(4000);
  expect_same(streamed(online, y, 333), offline(pipeline_of({{"db", "off"}, {"preset", "torchaudio"}}), y));
}

TEST(OnlineMelSpectrogram, LatencyIsOneHopPlusTheLookAhead) {
  OnlineMelSpectrogram online(pipeline_of({{"db", "off"}}));  // librosa: n_fft 2048, hop 512
  EXPECT_EQ(online.lookahead_samples(), 1024u);
  EXPECT_EQ(online.latency_samples(), 1024u + 512u - 1u);
  const std::vector<float> y = test_signal(3000);
  EXPECT_EQ(online.accept(y.data(), 1023).cols, 0u);
  EXPECT_EQ(online.accept(y.data() + 1023, 1).cols, 1u);  // frame 0 as soon as its window is complete
  EXPECT_EQ(online.accept(y.data() + 1024, 511).cols, 0u);
  EXPECT_EQ(online.accept(y.data() + 1535, 1).cols, 1u);  // frame 1, one hop later
  OnlineMelSpectrogram torchaudio(pipeline_of({{"preset", "torchaudio"}, {"db", "off"}}));
  EXPECT_EQ(torchaudio.lookahead_samples(), 200u);
  EXPECT_EQ(torchaudio.latency_samples(), 399u);
  OnlineMelSpectrogram no_center(pipeline_of({{"db", "off"}, {"center", "false"}}));
  EXPECT_EQ(no_center.lookahead_samples(), 2048u);
}

// Appends b's rows to a (layout=time_first: [frames][bins]).
void append_rows(Matrix& a, const Matrix& b) {
  ASSERT_EQ(a.cols, b.cols);
  a.data.insert(a.data.end(), b.data.begin(), b.data.end());
  a.rows += b.rows;
}

Matrix streamed_time_first(OnlineMelSpectrogram& online, const std::vector<float>& y, std::size_t chunk) {
  Matrix all(0, online.n_mels());
  for (std::size_t i = 0; i < y.size(); i += chunk)
    append_rows(all, online.accept(y.data() + i, std::min(chunk, y.size() - i)));
  append_rows(all, online.finish());
  return all;
}

TEST(OnlineMelSpectrogram, KaldiAndBeatsPresetsEqualOfflineInChunksOf1_160_4096) {
  const std::vector<float> y = test_signal();
  for (const char* preset : {"kaldi", "beats"}) {
    SCOPED_TRACE(preset);
    const Pipeline p = pipeline_of({{"preset", preset}});
    const Matrix want = offline(p, y);  // [frames][bins]
    OnlineMelSpectrogram online(p);
    EXPECT_EQ(online.n_mels(), want.cols);
    for (std::size_t chunk : {1, 160, 4096, 7}) {
      SCOPED_TRACE("chunk " + std::to_string(chunk));
      online.reset();
      expect_same(streamed_time_first(online, y, chunk), want);
      EXPECT_EQ(online.frames_emitted(), want.rows);
    }
  }
}

TEST(OnlineMelSpectrogram, KaldiFramingEnergyDitherAndFeaturesEqualOffline) {
  const std::vector<float> y = test_signal();
  const std::vector<OptionValues> cases = {
      {{"frontend", "kaldi_fbank"}, {"snip_edges", "false"}},
      {{"frontend", "kaldi_fbank"}, {"snip_edges", "false"}, {"frame_length", "10"}, {"frame_shift", "25"}},
      {{"frontend", "kaldi_fbank"},
       {"use_energy", "true"},
       {"htk_compat", "true"},
       {"dither", "1e-3"},
       {"dither_seed", "5"}},
      {{"frontend", "kaldi_fbank"}, {"dither", "0.01"}, {"snip_edges", "false"}, {"raw_energy", "false"}},
      {{"frontend", "kaldi_mfcc"}, {"window_type", "hamming"}},
      {{"frontend", "kaldi_spectrogram"}, {"snip_edges", "false"}, {"round_to_power_of_two", "false"}},
      {{"frontend", "kaldi_fbank"}, {"num_mel_bins", "40"}, {"normalize", "zscore"}, {"axis", "frame"}},
  };
  for (const OptionValues& c : cases) {
    std::string label;
    for (const auto& [k, v] : c) label += k + "=" + v + " ";
    SCOPED_TRACE(label);
    expect_stream_equals_offline(pipeline_of(c), y);  // layout bins_first: chunks of columns
  }
}

TEST(OnlineMelSpectrogram, KaldiStreamShorterThanAFrameIsRefusedAsOffline) {
  const Pipeline p = pipeline_of({{"preset", "kaldi"}});
  const std::vector<float> y = test_signal(399);  // one 25 ms frame is 400 samples
  std::string want;
  try {
    offline(p, y);
  } catch (const Error& e) { want = e.what(); }
  ASSERT_FALSE(want.empty());
  OnlineMelSpectrogram online(p);
  EXPECT_EQ(online.accept(y).rows, 0u);
  try {
    online.finish();
    ADD_FAILURE() << "a stream of 399 samples was not refused";
  } catch (const Error& e) { EXPECT_NE(want.find(e.what()), std::string::npos) << e.what() << " | " << want; }
  online.reset();  // exactly one frame
  const std::vector<float> one = test_signal(400);
  EXPECT_EQ(online.accept(one).rows, 1u);
  EXPECT_EQ(online.finish().rows, 0u);
}

TEST(OnlineMelSpectrogram, WholeClipPresetsAndSubtractMeanAreRefusedNamingThem) {
  for (const auto& [options, param] : std::vector<std::pair<OptionValues, std::string>>{
           {{{"preset", "whisper"}}, "target_frames"},
           {{{"preset", "whisper"}, {"target_frames", "none"}}, "pad_to"},
           {{{"preset", "ast"}}, "target_frames"},
           {{{"preset", "kaldi"}, {"subtract_mean", "true"}}, "subtract_mean"},
       }) {
    const auto [got, message] = refusal(options, {});
    EXPECT_EQ(got, param) << message;
    EXPECT_NE(message.find("allowed"), std::string::npos) << message;
  }
}

TEST(OnlineMelSpectrogram, KaldiLatencyIsOneFrameShiftPlusTheFrame) {
  OnlineMelSpectrogram online(pipeline_of({{"preset", "kaldi"}}));  // 400-sample frames every 160
  EXPECT_EQ(online.hop_length(), 160u);
  EXPECT_EQ(online.lookahead_samples(), 400u);
  EXPECT_EQ(online.latency_samples(), 400u + 160u - 1u);
  const std::vector<float> y = test_signal(1000);
  EXPECT_EQ(online.accept(y.data(), 399).rows, 0u);
  EXPECT_EQ(online.accept(y.data() + 399, 1).rows, 1u);
  EXPECT_EQ(online.accept(y.data() + 400, 159).rows, 0u);
  EXPECT_EQ(online.accept(y.data() + 559, 1).rows, 1u);
}

}  // namespace
}  // namespace melnorm
