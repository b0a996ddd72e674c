// dB conversion: librosa's power_to_db / amplitude_to_db semantics.
#include "melnorm/db.h"
#include "melnorm/error.h"
#include "melnorm/mel_spectrogram.h"
#include "test_util.h"

namespace melnorm {
namespace {

TEST(PowerToDb, RefOneIsTenLog10) {
  std::vector<float> s = {1.0f, 10.0f, 100.0f, 0.001f};
  power_to_db(s, DbOptions{.reference = DbReference::kValue, .top_db = std::nullopt});
  EXPECT_NEAR(s[0], 0.0, 1e-6);
  EXPECT_NEAR(s[1], 10.0, 1e-5);
  EXPECT_NEAR(s[2], 20.0, 1e-5);
  EXPECT_NEAR(s[3], -30.0, 1e-5);
}

TEST(PowerToDb, RefMaxPutsPeakAtZeroAndTopDbFloors) {
  std::vector<float> s = {1e-12f, 1e-4f, 1.0f, 4.0f};
  power_to_db(s, DbOptions{.reference = DbReference::kMax, .top_db = 30.0});
  EXPECT_NEAR(s[3], 0.0, 1e-6);
  EXPECT_NEAR(s[2], -10.0 * std::log10(4.0), 1e-5);
  EXPECT_NEAR(s[1], -30.0, 1e-5);  // floored at peak - 30
  EXPECT_NEAR(s[0], -30.0, 1e-5);
}

TEST(PowerToDb, AminFloorsZeros) {
  std::vector<float> s = {0.0f, 1.0f};
  power_to_db(s, DbOptions{.reference = DbReference::kValue, .top_db = std::nullopt});
  EXPECT_NEAR(s[0], -100.0, 1e-4);  // 10 log10(1e-10)
}

TEST(PowerToDb, SilenceGivesTheFloorNotNaN) {
  std::vector<float> s(100, 0.0f);
  power_to_db(s, DbOptions{.reference = DbReference::kMax, .top_db = 80.0});
  for (float v : s) {
    EXPECT_FALSE(std::isnan(v));
    EXPECT_EQ(v, 0.0f);  // amin relative to max(amin, 0) = amin
  }
  std::vector<float> t(10, 0.0f);
  power_to_db(t, DbOptions{.reference = DbReference::kValue, .top_db = 80.0});
  for (float v : t) EXPECT_NEAR(v, -100.0, 1e-4);
}

TEST(AmplitudeToDb, EqualsPowerToDbOfSquares) {
  std::vector<float> a = {0.5f, 2.0f, 1e-7f, 3.0f};
  std::vector<float> p;
  for (float v : a) p.push_back(v * v);
  amplitude_to_db(a, DbOptions{.reference = DbReference::kMax, .top_db = 80.0});
  power_to_db(p, DbOptions{.reference = DbReference::kMax, .amin = 1e-10, .top_db = 80.0});
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], p[i], 1e-4);
  std::vector<float> one = {10.0f};
  amplitude_to_db(one, DbOptions{.reference = DbReference::kValue, .top_db = std::nullopt});
  EXPECT_NEAR(one[0], 20.0, 1e-5);  // 20 log10
}

TEST(DbOptions, InvalidValuesAreErrors) {
  std::vector<float> s = {1.0f};
  EXPECT_THROW(power_to_db(s, DbOptions{.amin = 0.0}), Error);
  EXPECT_THROW(power_to_db(s, DbOptions{.top_db = -1.0}), Error);
  try {
    power_to_db(s, DbOptions{.reference = DbReference::kValue, .ref_value = -2.0});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.param(), "ref");
    EXPECT_NE(std::string(e.what()).find("ref=-2"), std::string::npos);
  }
}

}  // namespace
}  // namespace melnorm

// Issue 7's property: with a relative floor and ref = max, scaling a float
// waveform by any gain from -60 to 0 dB leaves the log-mel unchanged.
namespace {
std::vector<float> wide_range_clip() {  // a tone, then quiet noise: 100+ dB of range
  auto y = melnorm::testing::sine(440, 16000, 16000, 0.5);
  const auto n = melnorm::testing::white_noise(8000, 3, 1e-4);
  for (std::size_t i = 8000; i < y.size(); ++i) y[i] = n[i - 8000];
  return y;
}
double worst_change_db(melnorm::DbFloor floor) {
  melnorm::MelSpectrogramOptions o = melnorm::preset_options(melnorm::Preset::kLibrosa, 16000);
  o.mel.n_mels = 64;
  o.db.floor = floor;
  const melnorm::MelSpectrogram mel(o);
  const auto y = wide_range_clip();
  const melnorm::Matrix ref = mel.compute(y);
  double worst = 0;
  for (double gain_db = -60; gain_db <= 0; gain_db += 10) {
    auto scaled = y;
    for (float& v : scaled) v = static_cast<float>(v * std::pow(10.0, gain_db / 20));
    const melnorm::Matrix m = mel.compute(scaled);
    for (std::size_t i = 0; i < m.data.size(); ++i) worst = std::max(worst, std::abs(double(m.data[i]) - ref.data[i]));
  }
  return worst;
}
}  // namespace

TEST(DbFloor, RelativeFloorIsGainInvariantWithin1e3Db) {
  EXPECT_LT(worst_change_db(melnorm::DbFloor::kRelative), 1e-3);
}

TEST(DbFloor, AbsoluteFloorIsNotGainInvariant) {
  EXPECT_GT(worst_change_db(melnorm::DbFloor::kAbsolute), 1.0);  // the property test above can fail
}

TEST(DbFloor, RelativeFloorOfSilenceIsFiniteAndNamesAreParsed) {
  std::vector<float> s(10, 0.0f);
  melnorm::power_to_db(s, {.floor = melnorm::DbFloor::kRelative});
  for (float v : s) EXPECT_TRUE(std::isfinite(v));
  EXPECT_EQ(melnorm::parse_db_floor("relative"), melnorm::DbFloor::kRelative);
  EXPECT_THROW(melnorm::parse_db_floor("floating"), melnorm::Error);
}
