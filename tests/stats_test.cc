// Streaming dataset statistics: merging, percentiles, persistence.
#include <fstream>

#include "melnorm/error.h"
#include "melnorm/stats.h"
#include "test_util.h"

namespace melnorm {
namespace {

using testing::TempDir;

// 20 spectrograms of 8 bands and varying lengths, in dB-like ranges.
std::vector<std::vector<float>> dataset() {
  std::vector<std::vector<float>> items;
  for (unsigned i = 0; i < 20; ++i) {
    auto x = testing::white_noise(8 * (30 + 7 * i), i + 1, 40.0);
    for (float& v : x) v -= 40.0f + static_cast<float>(i);
    items.push_back(std::move(x));
  }
  return items;
}

Stats fit(const std::vector<std::vector<float>>& items, std::size_t from, std::size_t to) {
  Stats s(8, {{"n_mels", "8"}});
  for (std::size_t i = from; i < to; ++i) s.update(items[i].data(), 8, items[i].size() / 8);
  return s;
}

void expect_rel(double a, double b, double tol) {
  EXPECT_LE(std::abs(a - b), tol * std::max(1.0, std::abs(b))) << a << " vs " << b;
}

TEST(Stats, MergingPartsEqualsOnePass) {
  const auto items = dataset();
  const Stats whole = fit(items, 0, items.size());
  for (std::size_t parts : {1u, 2u, 7u}) {
    Stats merged(8, {{"n_mels", "8"}});
    for (std::size_t p = 0; p < parts; ++p)
      merged.merge(fit(items, p * items.size() / parts, (p + 1) * items.size() / parts));
    EXPECT_EQ(merged.count(), whole.count());
    expect_rel(merged.overall().mean, whole.overall().mean, 1e-12);
    expect_rel(merged.overall().variance(), whole.overall().variance(), 1e-12);
    for (std::size_t b = 0; b < 8; ++b) {
      expect_rel(merged.band(b).mean, whole.band(b).mean, 1e-12);
      expect_rel(merged.band(b).variance(1), whole.band(b).variance(1), 1e-12);
      EXPECT_EQ(merged.band(b).min, whole.band(b).min);
      EXPECT_EQ(merged.band(b).max, whole.band(b).max);
      EXPECT_EQ(merged.band_histogram(b).counts(), whole.band_histogram(b).counts());
    }
  }
}

TEST(Stats, MomentsMatchADirectComputation) {
  const auto items = dataset();
  const Stats s = fit(items, 0, items.size());
  double sum = 0, n = 0;
  for (const auto& x : items)
    for (float v : x) {
      sum += v;
      ++n;
    }
  const double mean = sum / n;
  double ss = 0;
  for (const auto& x : items)
    for (float v : x) ss += (v - mean) * (v - mean);
  expect_rel(s.overall().mean, mean, 1e-12);
  expect_rel(s.overall().variance(), ss / n, 1e-10);
}

TEST(Stats, PercentilesWithinTheResolution) {
  std::vector<float> x(10001);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = -100.0f + 0.01f * static_cast<float>(i);  // -100 .. 0 dB
  Stats s(1);
  s.update(x.data(), 1, x.size());
  EXPECT_NEAR(s.percentile(50), -50.0, 0.01);
  EXPECT_NEAR(s.percentile(1), -99.0, 0.01);
  EXPECT_NEAR(s.percentile(99), -1.0, 0.01);
  EXPECT_EQ(s.percentile(0), s.overall().min);
  EXPECT_EQ(s.percentile(100), s.overall().max);
  EXPECT_THROW(s.percentile(101), Error);
}

TEST(Stats, ExcludesPaddingAndRejectsNaN) {
  const std::vector<float> x = {1, 2, 1000, 3, 4, 1000};
  Stats s(2);
  s.update(x.data(), 2, 3, 2);
  EXPECT_EQ(s.count(), 4u);
  EXPECT_DOUBLE_EQ(s.overall().mean, 2.5);
  std::vector<float> bad = {1, 2, std::nanf(""), 4};
  try {
    s.update(bad.data(), 2, 2);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("band 1, frame 0 is NaN"), std::string::npos) << e.what();
  }
  EXPECT_THROW(s.update(x.data(), 3, 2), Error);  // band count
}

TEST(Stats, SavesAndLoadsExactly) {
  TempDir dir;
  const auto items = dataset();
  const Stats s = fit(items, 0, items.size());
  s.save(dir / "stats.json");
  const Stats t = Stats::load(dir / "stats.json");
  EXPECT_EQ(t.count(), s.count());
  EXPECT_EQ(t.overall().mean, s.overall().mean);
  EXPECT_EQ(t.overall().m2, s.overall().m2);
  EXPECT_EQ(t.band(3).max, s.band(3).max);
  EXPECT_EQ(t.fingerprint(), s.fingerprint());
  EXPECT_EQ(t.percentile(37, 2), s.percentile(37, 2));
}

TEST(Stats, FingerprintMismatchNamesTheOption) {
  Stats s(8, {{"n_mels", "8"}, {"hop_length", "512"}});
  try {
    s.check_fingerprint({{"n_mels", "8"}, {"hop_length", "256"}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("hop_length: stats 512 vs features 256"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(s.check_fingerprint({{"n_mels", "8"}, {"hop_length", "512"}, {"extra", "x"}}));
}

TEST(Stats, MissingCorruptTruncatedFilesAreClearErrors) {
  TempDir dir;
  try {
    Stats::load(dir / "none.json");
    FAIL();
  } catch (const Error& e) { EXPECT_NE(std::string(e.what()).find("no such statistics file"), std::string::npos); }
  std::ofstream(dir / "corrupt.json") << "{\"format\": \"melnorm-stats\", \"version\": 1, \"n_b";
  try {
    Stats::load(dir / "corrupt.json");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not a valid melnorm statistics file"), std::string::npos) << e.what();
  }
  std::ofstream(dir / "other.json") << "{\"hello\": 1}";
  EXPECT_THROW(Stats::load(dir / "other.json"), Error);
  Stats s(2);
  const std::vector<float> x = {1, 2, 3, 4};
  s.update(x.data(), 2, 2);
  s.save(dir / "ok.json");
  std::string text;
  {
    std::ifstream in(dir / "ok.json");
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::ofstream(dir / "cut.json") << text.substr(0, text.size() / 2);
  EXPECT_THROW(Stats::load(dir / "cut.json"), Error);
  std::string v2 = text;
  v2.replace(v2.find("\"version\":1"), 11, "\"version\":9");
  std::ofstream(dir / "v9.json") << v2;
  try {
    Stats::load(dir / "v9.json");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("version 9 is not supported"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace melnorm
