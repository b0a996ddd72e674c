// The whole spectrogram pipeline: behaviour on known signals, bad input,
// presets, and thread safety.
#include <thread>

#include "melnorm/error.h"
#include "melnorm/mel_spectrogram.h"
#include "test_util.h"

namespace melnorm {
namespace {

using testing::sine;
using testing::white_noise;

TEST(MelSpectrogram, PureTonePeaksInTheBandContainingIt) {
  for (double freq : {250.0, 1000.0, 3000.0, 6500.0}) {
    MelSpectrogramOptions o = preset_options(Preset::kLibrosa, 16000);
    o.db.enabled = false;
    o.mel.n_mels = 40;
    MelSpectrogram mel(o);
    const Matrix s = mel.compute(sine(freq, 16000, 16000));
    const std::size_t t = s.cols / 2;
    int best = 0;
    for (int m = 1; m < int(s.rows); ++m)
      if (s(m, t) > s(best, t)) best = m;
    const auto& edges = mel.filterbank().band_edges_hz();
    EXPECT_GT(freq, edges[best]) << freq;
    EXPECT_LT(freq, edges[best + 2]) << freq;
  }
}

TEST(MelSpectrogram, ShapeIsMelsByFrames) {
  MelSpectrogram mel(preset_options(Preset::kLibrosa, 22050));
  const Matrix s = mel.compute(white_noise(22050));
  EXPECT_EQ(s.rows, 128u);
  EXPECT_EQ(s.cols, 1 + 22050 / 512u);
}

TEST(MelSpectrogram, SilenceGivesTheFloorNotNaN) {
  MelSpectrogramOptions o = preset_options(Preset::kLibrosa, 16000);
  o.db.reference = DbReference::kValue;
  o.db.top_db.reset();
  const Matrix s = MelSpectrogram(o).compute(std::vector<float>(8000, 0.0f));
  for (float v : s.data) EXPECT_NEAR(v, -100.0f, 1e-4);
  o.db.reference = DbReference::kMax;
  o.db.top_db = 80.0;
  for (float v : MelSpectrogram(o).compute(std::vector<float>(8000, 0.0f)).data) EXPECT_FALSE(std::isnan(v));
}

TEST(MelSpectrogram, ShortWindowIsZeroPaddedAtTheCentre) {
  // win_length < n_fft equals a full-length window zero outside the centred span.
  MelSpectrogramOptions a = preset_options(Preset::kLibrosa, 16000);
  a.db.enabled = false;
  a.stft.n_fft = 512;
  a.stft.win_length = 400;
  a.stft.window = WindowType::kRectangular;
  const auto y = white_noise(4000, 3);
  const Matrix s = MelSpectrogram(a).compute(y);
  // Shift the signal by 56 samples and use a 400-point FFT-free reference: equal energy in total.
  a.stft.win_length = 512;
  const Matrix full = MelSpectrogram(a).compute(y);
  double e_short = 0, e_full = 0;
  for (float v : s.data) e_short += v;
  for (float v : full.data) e_full += v;
  EXPECT_NEAR(e_short / e_full, 400.0 / 512.0, 0.03);  // white noise: energy scales with window length
}

TEST(MelSpectrogram, ReflectAndConstantPaddingDifferOnlyAtTheEdges) {
  MelSpectrogramOptions o = preset_options(Preset::kLibrosa, 16000);
  o.db.enabled = false;
  const auto y = white_noise(16000, 5);
  const Matrix zero = MelSpectrogram(o).compute(y);
  o.stft.pad_mode = PadMode::kReflect;
  const Matrix refl = MelSpectrogram(o).compute(y);
  ASSERT_EQ(zero.cols, refl.cols);
  EXPECT_NE(zero(10, 0), refl(10, 0));
  for (std::size_t t = 3; t + 3 < zero.cols; ++t) EXPECT_EQ(zero(10, t), refl(10, t));
}

TEST(MelSpectrogram, GainOfTwoAddsSixDbWithRefOne) {
  MelSpectrogramOptions o = preset_options(Preset::kLibrosa, 16000);
  o.db.reference = DbReference::kValue;
  o.db.top_db.reset();
  auto y = sine(440, 16000, 16000, 0.25);
  const Matrix a = MelSpectrogram(o).compute(y);
  for (float& v : y) v *= 2.0f;
  const Matrix b = MelSpectrogram(o).compute(y);
  const std::size_t t = a.cols / 2;
  int peak = 0;
  for (int m = 0; m < int(a.rows); ++m)
    if (a(m, t) > a(peak, t)) peak = m;
  EXPECT_NEAR(b(peak, t) - a(peak, t), 20 * std::log10(2.0), 1e-3);
}

TEST(MelSpectrogram, BadInputIsAnErrorWithTheIndex) {
  MelSpectrogram mel(preset_options(Preset::kLibrosa, 16000));
  auto y = white_noise(4000);
  y[1234] = std::nanf("");
  try {
    mel.compute(y);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidData);
    EXPECT_NE(std::string(e.what()).find("sample 1234 is NaN"), std::string::npos) << e.what();
  }
  y[1234] = INFINITY;
  EXPECT_THROW(mel.compute(y), Error);
  EXPECT_THROW(mel.compute(std::vector<float>{}), Error);
}

TEST(MelSpectrogram, TooShortWithoutCentreIsAnError) {
  MelSpectrogramOptions o = preset_options(Preset::kLibrosa, 16000);
  o.stft.center = false;
  EXPECT_THROW(MelSpectrogram(o).compute(white_noise(1000)), Error);
}

TEST(MelSpectrogramOptions, InvalidOptionsFailAtConstruction) {
  auto expect_param = [](MelSpectrogramOptions o, const std::string& param) {
    try {
      MelSpectrogram m(o);
      ADD_FAILURE() << "expected an error about " << param;
    } catch (const Error& e) { EXPECT_EQ(e.param(), param) << e.what(); }
  };
  auto base = [] { return preset_options(Preset::kLibrosa, 16000); };
  auto o = base();
  o.stft.hop_length = 0;
  expect_param(o, "hop_length");
  o = base();
  o.stft.n_fft = 256;
  o.stft.win_length = 400;
  expect_param(o, "win_length");
  o = base();
  o.mel.fmax = 8001;
  expect_param(o, "fmax");
  o = base();
  o.mel.fmin = 4000;
  o.mel.fmax = 3000;
  expect_param(o, "fmin");
  o = base();
  o.power = 3;
  expect_param(o, "power");
  o = base();
  o.sample_rate = -1;
  expect_param(o, "sr");
  o = base();
  o.db.top_db = -5;
  expect_param(o, "top_db");
  EXPECT_THROW(parse_preset("kaldi"), Error);
}

TEST(MelSpectrogram, PresetsHaveTheirLibrariesDefaults) {
  const auto l = preset_options(Preset::kLibrosa, 22050);
  EXPECT_EQ(l.stft.n_fft, 2048);
  EXPECT_EQ(l.stft.hop_length, 512);
  EXPECT_EQ(l.stft.pad_mode, PadMode::kConstant);
  EXPECT_EQ(l.mel.scale, MelScale::kSlaney);
  EXPECT_EQ(l.mel.norm, FilterNorm::kSlaney);
  const auto t = preset_options(Preset::kTorchaudio, 16000);
  EXPECT_EQ(t.stft.n_fft, 400);
  EXPECT_EQ(t.stft.hop_length, 200);
  EXPECT_EQ(t.stft.pad_mode, PadMode::kReflect);
  EXPECT_EQ(t.mel.scale, MelScale::kHtk);
  EXPECT_EQ(t.mel.norm, FilterNorm::kNone);
  EXPECT_EQ(t.mel.n_mels, 128);
}

TEST(MelSpectrogram, ConcurrentCallsGiveTheSameResult) {
  const MelSpectrogram mel(preset_options(Preset::kLibrosa, 22050));
  const auto y = white_noise(22050 * 3, 9);
  const Matrix once = mel.compute(y);
  std::vector<Matrix> results(4);
  std::vector<std::thread> threads;
  for (auto& r : results) threads.emplace_back([&] { r = mel.compute(y); });
  for (auto& t : threads) t.join();
  for (const auto& r : results) EXPECT_EQ(r.data, once.data);
}

}  // namespace
}  // namespace melnorm

// FftPrecision::kAuto transforms in single precision only where the dB floor
// hides its rounding: against double, every bin within 0.01 dB with top_db 80,
// on signals with 100+ dB of range; without a floor single shows its rounding.
namespace {
std::vector<float> wide_range_signal(unsigned seed) {
  auto y = melnorm::testing::sine(440 + 37 * seed, 16000, 32000, 0.9);
  const auto quiet = melnorm::testing::white_noise(16000, seed, 1e-5);  // ~ -100 dB
  const auto tone = melnorm::testing::sine(3000, 16000, 16000, 1e-4);
  for (std::size_t i = 0; i < 16000; ++i) y[16000 + i] = quiet[i] + tone[i];
  for (std::size_t i = 2000; i < 2100; ++i) y[i] = 0.0f;  // a dropout
  return y;
}
double worst_db_difference(melnorm::MelSpectrogramOptions o, const std::vector<float>& y) {
  o.fft_precision = melnorm::FftPrecision::kDouble;
  const auto reference = melnorm::MelSpectrogram(o).compute(y);
  o.fft_precision = melnorm::FftPrecision::kAuto;
  const auto fast = melnorm::MelSpectrogram(o).compute(y);
  double worst = 0;
  for (std::size_t i = 0; i < fast.data.size(); ++i)
    worst = std::max(worst, std::abs(double(fast.data[i]) - reference.data[i]));
  return worst;
}
}  // namespace

TEST(FftPrecision, AutoIsWithin001DbOfDoubleWhereTopDbHidesRounding) {
  for (int n_fft : {256, 512, 2048}) {
    for (unsigned seed : {1u, 2u, 3u}) {
      auto o = melnorm::preset_options(melnorm::Preset::kLibrosa, 16000);
      o.stft = {.n_fft = n_fft, .hop_length = n_fft / 4};
      o.mel.n_mels = 64;
      EXPECT_LT(worst_db_difference(o, wide_range_signal(seed)), 0.01) << "n_fft " << n_fft << " seed " << seed;
      o.db.floor = melnorm::DbFloor::kRelative;
      o.db.reference = melnorm::DbReference::kPercentile;
      EXPECT_LT(worst_db_difference(o, wide_range_signal(seed)), 0.01) << "n_fft " << n_fft << " seed " << seed;
    }
  }
}

TEST(FftPrecision, AutoStaysDoubleWithoutAFloorAndSingleWouldShowRounding) {
  auto o = melnorm::preset_options(melnorm::Preset::kLibrosa, 16000);
  o.db.reference = melnorm::DbReference::kValue;  // ref=1, no top_db: every bin visible
  o.db.top_db.reset();
  const auto y = wide_range_signal(1);
  EXPECT_EQ(worst_db_difference(o, y), 0.0);  // auto chose double
  auto single = o;
  single.fft_precision = melnorm::FftPrecision::kSingle;
  o.fft_precision = melnorm::FftPrecision::kDouble;
  const auto a = melnorm::MelSpectrogram(o).compute(y), b = melnorm::MelSpectrogram(single).compute(y);
  double worst = 0;
  for (std::size_t i = 0; i < a.data.size(); ++i) worst = std::max(worst, std::abs(double(a.data[i]) - b.data[i]));
  EXPECT_GT(worst, 0.05);  // why auto does not use single here
  EXPECT_EQ(melnorm::parse_fft_precision("single"), melnorm::FftPrecision::kSingle);
  EXPECT_THROW(melnorm::parse_fft_precision("half"), melnorm::Error);
}
