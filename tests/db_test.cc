// dB conversion: librosa's power_to_db / amplitude_to_db semantics.
#include "melnorm/db.h"

#include <algorithm>
#include <cmath>

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
double worst_change_db(melnorm::DbFloor floor, std::string_view ref_spec = "max") {
  melnorm::MelSpectrogramOptions o = melnorm::preset_options(melnorm::Preset::kLibrosa, 16000);
  o.mel.n_mels = 64;
  o.db.floor = floor;
  melnorm::parse_db_ref(ref_spec, o.db);
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

TEST(DbFloor, RelativeFloorWithPercentileRefIsGainInvariantWithin1e3Db) {
  EXPECT_LT(worst_change_db(melnorm::DbFloor::kRelative, "p99.5"), 1e-3);
  EXPECT_GT(worst_change_db(melnorm::DbFloor::kAbsolute, "p99.5"), 1.0);
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

// Issue 17: floors that follow the clip's own noise.
TEST(DbFloor, NoiseFloorsAreGainInvariantWithin1e3Db) {
  EXPECT_LT(worst_change_db(melnorm::DbFloor::kNoise), 1e-3);
  EXPECT_LT(worst_change_db(melnorm::DbFloor::kNoisePercentile), 1e-3);
  EXPECT_LT(worst_change_db(melnorm::DbFloor::kNoise, "p99.5"), 1e-3);
}

namespace {
// Mel power (no dB) of `y` at 16 kHz, 40 bands.
melnorm::Matrix mel_power(const std::vector<float>& y) {
  melnorm::MelSpectrogramOptions o = melnorm::preset_options(melnorm::Preset::kLibrosa, 16000);
  o.mel.n_mels = 40;
  o.db.enabled = false;
  return melnorm::MelSpectrogram(o).compute(y);
}
}  // namespace

// Tone bursts in half the frames over white noise of a known level: each
// band's noise floor lands within 3 dB of that noise's own mean band power.
TEST(DbFloor, NoiseFloorLandsWithin3DbOfAddedWhiteNoise) {
  const std::size_t n = 4 * 16000;
  const melnorm::Matrix noise_only = mel_power(melnorm::testing::white_noise(n, 11, 0.01));
  auto y = melnorm::testing::white_noise(n, 12, 0.01);
  const auto tone = melnorm::testing::sine(700, 16000, n, 0.3);
  for (std::size_t i = 0; i < n; ++i)
    if ((i / 8000) % 2 == 0) y[i] += tone[i];  // 0.5 s on, 0.5 s off
  const melnorm::Matrix m = mel_power(y);
  const auto floors = melnorm::noise_floor(m.data, m.rows, {.floor = melnorm::DbFloor::kNoise});
  ASSERT_EQ(floors.size(), m.rows);
  for (std::size_t b = 0; b < m.rows; ++b) {
    double level = 0;
    for (std::size_t t = 0; t < m.cols; ++t) level += noise_only.data[b * m.cols + t];
    level /= static_cast<double>(m.cols);
    EXPECT_NEAR(10 * std::log10(floors[b] / level), 0.0, 3.0) << "band " << b;
  }
  // The floor gates: no value of the dB spectrogram lies below its band's floor.
  melnorm::Matrix db = m;
  melnorm::power_to_db(db.data, {.top_db = std::nullopt, .floor = melnorm::DbFloor::kNoise}, db.rows);
  const float peak = *std::max_element(m.data.begin(), m.data.end());
  for (std::size_t b = 0; b < m.rows; ++b)
    EXPECT_NEAR(*std::min_element(db.data.begin() + b * m.cols, db.data.begin() + (b + 1) * m.cols),
                10 * std::log10(floors[b] / peak), 1e-3);
}

TEST(DbFloor, NoiseFloorsOfSilenceAndConstantInputAreFinite) {
  for (auto floor : {melnorm::DbFloor::kNoise, melnorm::DbFloor::kNoisePercentile}) {
    std::vector<float> silence(4 * 10, 0.0f), constant(4 * 10, 0.25f), relative = silence;
    melnorm::power_to_db(silence, {.floor = floor}, 4);
    melnorm::power_to_db(relative, {.floor = melnorm::DbFloor::kRelative}, 4);
    EXPECT_EQ(silence, relative) << "digital silence: the relative floor's fallback";
    melnorm::power_to_db(constant, {.floor = floor}, 4);
    for (float v : constant) EXPECT_EQ(v, 0.0f);
  }
  EXPECT_EQ(melnorm::parse_db_floor("noise"), melnorm::DbFloor::kNoise);
  EXPECT_EQ(melnorm::to_string(melnorm::parse_db_floor("noise_percentile")), "noise_percentile");
  std::vector<float> odd(7, 1.0f);
  EXPECT_THROW(melnorm::power_to_db(odd, {.floor = melnorm::DbFloor::kNoise}, 2), melnorm::Error);
  EXPECT_THROW(melnorm::power_to_db(odd, {.floor = melnorm::DbFloor::kNoise, .floor_percentile = 100}), melnorm::Error);
}

// Issue 7's item 2: a dB reference at a percentile of the clip.
namespace {
double numpy_percentile(std::vector<float> v, double p) {  // numpy.percentile, linear, by sorting
  std::sort(v.begin(), v.end());
  const double rank = p / 100 * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(rank);
  const double hi = v[std::min(lo + 1, v.size() - 1)];
  return v[lo] + (rank - static_cast<double>(lo)) * (hi - v[lo]);
}
}  // namespace

TEST(DbPercentileRef, ZeroDbIsNumpysPercentile) {
  for (double p : {50.0, 90.0, 99.5, 99.99, 100.0}) {
    auto s = melnorm::testing::white_noise(1001, 7, 1.0);
    for (float& v : s) v = v * v + 1e-3f;
    const double ref = numpy_percentile(s, p);
    melnorm::DbOptions o{.top_db = std::nullopt};
    std::string spec = "p";
    spec += std::to_string(p);
    melnorm::parse_db_ref(spec, o);
    auto db = s;
    melnorm::power_to_db(db, o);
    for (std::size_t i = 0; i < s.size(); i += 97)
      EXPECT_NEAR(db[i], 10 * std::log10(double(s[i])) - 10 * std::log10(ref), 1e-4) << "p=" << p;
  }
}

TEST(DbPercentileRef, P100IsMaxAndAmplitudeUsesSquares) {
  auto s = melnorm::testing::white_noise(500, 3, 1.0);
  for (float& v : s) v = std::abs(v) + 1e-3f;
  auto a = s, b = s;
  melnorm::DbOptions max_ref, p100;
  melnorm::parse_db_ref("p100", p100);
  melnorm::power_to_db(a, max_ref);
  melnorm::power_to_db(b, p100);
  EXPECT_EQ(a, b);
  auto amp = s, pow = s;
  for (float& v : pow) v = v * v;
  melnorm::DbOptions p90;
  melnorm::parse_db_ref("p90", p90);
  melnorm::amplitude_to_db(amp, p90);
  melnorm::power_to_db(pow, p90);
  for (std::size_t i = 0; i < s.size(); ++i) EXPECT_NEAR(amp[i], pow[i], 1e-4);
}

TEST(DbPercentileRef, OneOutlierBinDoesNotMoveTheRest) {
  // A click-like outlier 60 dB above everything else: with ref = max every
  // other bin drops by ~60 dB; with ref = p99.5 (over 2000 bins) none moves.
  auto s = melnorm::testing::white_noise(2000, 5, 1.0);
  for (float& v : s) v = v * v + 1e-3f;
  auto with_click = s;
  with_click[1234] = 1e6f;
  auto run = [](std::vector<float> x, std::string_view ref) {
    melnorm::DbOptions o{.top_db = std::nullopt};
    melnorm::parse_db_ref(ref, o);
    melnorm::power_to_db(x, o);
    return x;
  };
  const auto p_clean = run(s, "p99.5"), p_click = run(with_click, "p99.5");
  const auto m_clean = run(s, "max"), m_click = run(with_click, "max");
  double p_worst = 0, m_least = 1e9;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i == 1234) continue;
    p_worst = std::max(p_worst, std::abs(double(p_click[i]) - p_clean[i]));
    m_least = std::min(m_least, std::abs(double(m_click[i]) - m_clean[i]));
  }
  EXPECT_LT(p_worst, 0.05);
  EXPECT_GT(m_least, 40.0);
}

TEST(DbPercentileRef, SpecsParseAndBadOnesNameTheValue) {
  melnorm::DbOptions o;
  melnorm::parse_db_ref("p99.5", o);
  EXPECT_EQ(o.reference, melnorm::DbReference::kPercentile);
  EXPECT_DOUBLE_EQ(o.ref_percentile, 99.5);
  EXPECT_EQ(melnorm::db_ref_name(o), "p99.5");
  for (const char* name : {"off", "ref1", "max", "p50"}) {
    melnorm::DbOptions x;
    melnorm::parse_db_ref(name, x);
    EXPECT_EQ(melnorm::db_ref_name(x), name);
  }
  for (const char* bad : {"p0", "p101", "p", "pabc", "p99x", "q5", "", "p-1"}) {
    melnorm::DbOptions x;
    try {
      melnorm::parse_db_ref(bad, x);
      ADD_FAILURE() << "'" << bad << "' was accepted";
    } catch (const melnorm::Error& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("'") + bad + "'"), std::string::npos) << e.what();
    }
  }
  melnorm::DbOptions direct{.reference = melnorm::DbReference::kPercentile, .ref_percentile = 0};
  std::vector<float> s(4, 1.0f);
  EXPECT_THROW(melnorm::power_to_db(s, direct), melnorm::Error);
}

// power_to_db's vectorised log2 against double precision, over the float range.
TEST(PowerToDb, VectorisedLogWithin1e4DbOfDoubleAcrossTheFloatRange) {
  std::vector<float> s;
  for (double e = -37; e <= 38; e += 0.01) s.push_back(static_cast<float>(std::pow(10.0, e)));
  for (float f = 1.0f; f < 2.0f; f = std::nextafter(f, 3.0f) + 1e-5f) s.push_back(f);  // mantissas near 1 and sqrt(2)
  const auto x = s;
  melnorm::DbOptions o{
      .reference = melnorm::DbReference::kValue, .ref_value = 1.0, .amin = 1e-37, .top_db = std::nullopt};
  melnorm::power_to_db(s, o);
  double worst = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const double exact = 10 * std::log10(std::max(1e-37, double(x[i])));
    worst = std::max(worst, std::abs(s[i] - exact) / (1e-4 + 1e-6 * std::abs(exact)));
  }
  EXPECT_LT(worst, 1.0);
  // A subnormal amin takes the scalar path and gives the same as librosa's formula.
  std::vector<float> tiny = {0.0f, 1e-42f, 1.0f};
  melnorm::power_to_db(tiny, {.reference = melnorm::DbReference::kValue, .amin = 1e-44, .top_db = std::nullopt});
  EXPECT_NEAR(tiny[1], 10 * std::log10(double(1e-42f)), 1e-3);
  EXPECT_EQ(tiny[2], 0.0f);
}
