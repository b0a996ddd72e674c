// dB conversion: librosa's power_to_db / amplitude_to_db semantics.
#include "melnorm/db.h"
#include "melnorm/error.h"
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
