// Training-time perturbations (melnorm/augment.h): seeded, stage by stage,
// and what they must leave alone.
#include "melnorm/augment.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "melnorm/error.h"

namespace melnorm {
namespace {

std::vector<float> tone(std::size_t n, float amplitude) {
  std::vector<float> y(n);
  for (std::size_t i = 0; i < n; ++i) y[i] = amplitude * static_cast<float>(std::sin(0.05 * static_cast<double>(i)));
  return y;
}

double power_db(const std::vector<float>& y) {
  double p = 0;
  for (float v : y) p += static_cast<double>(v) * v;
  return 10 * std::log10(p / static_cast<double>(y.size()));
}

TEST(Augment, TheSameSeedEpochAndClipGiveTheSameBytesAndOthersDiffer) {
  const auto y = tone(4000, 0.5f);
  const Augmentation a{.gain_db = DbRange{-60, 0}, .bits = 16, .dither = true, .noise_snr_db = DbRange{10, 30}};
  const auto first = augment(y, a, 7, 1, 3);
  EXPECT_EQ(augment(y, a, 7, 1, 3), first);
  EXPECT_NE(augment(y, a, 8, 1, 3), first);
  EXPECT_NE(augment(y, a, 7, 2, 3), first);
  EXPECT_NE(augment(y, a, 7, 1, 4), first);
  EXPECT_EQ(first.size(), y.size());
}

TEST(Augment, ZeroDbGainAndSixteenBitsLeavePcm16InputUnchanged) {
  std::vector<float> pcm(3000);
  for (std::size_t i = 0; i < pcm.size(); ++i)
    pcm[i] = static_cast<float>(std::lround(20000 * std::sin(0.01 * static_cast<double>(i)))) / 32768.0f;
  pcm[5] = -1.0f, pcm[6] = 32767.0f / 32768.0f;  // the grid's ends
  for (std::uint64_t seed : {1u, 2u, 99u})
    EXPECT_EQ(augment(pcm, {.gain_db = DbRange{0, 0}, .bits = 16}, seed, 1, 0), pcm);
  // With dither, +-1 LSB: the output moves by at most one step.
  const auto dithered = augment(pcm, {.bits = 16, .dither = true}, 1, 1, 0);
  std::size_t moved = 0;
  for (std::size_t i = 0; i < pcm.size(); ++i) {
    EXPECT_LE(std::abs(dithered[i] - pcm[i]), 1.0f / 32768.0f + 1e-9f);
    moved += dithered[i] != pcm[i];
  }
  EXPECT_GT(moved, pcm.size() / 10);
}

TEST(Augment, TheGainIsUniformInItsRangeAndItsDrawDoesNotDependOnTheOtherStages) {
  const auto y = tone(2000, 0.25f);
  double lo = 1e9, hi = -1e9;
  for (std::uint64_t clip = 0; clip < 200; ++clip) {
    const double db = power_db(augment(y, {.gain_db = DbRange{-30, -10}}, 5, 1, clip)) - power_db(y);
    lo = std::min(lo, db), hi = std::max(hi, db);
    const auto with_bits = augment(y, {.gain_db = DbRange{-30, -10}, .bits = 24}, 5, 1, clip);
    EXPECT_NEAR(power_db(with_bits) - power_db(y), db, 0.01);  // the same gain drawn
  }
  EXPECT_GE(lo, -30.001);
  EXPECT_LE(hi, -9.999);
  EXPECT_LT(lo, -28);
  EXPECT_GT(hi, -12);
}

TEST(Augment, NoiseHasTheDrawnSnrWhiteAndPink) {
  const auto y = tone(16000, 0.3f);
  for (NoiseColor color : {NoiseColor::kWhite, NoiseColor::kPink}) {
    const auto out = augment(y, {.noise_snr_db = DbRange{20, 20}, .noise_color = color}, 3, 1, 0);
    std::vector<float> n(y.size());
    for (std::size_t i = 0; i < y.size(); ++i) n[i] = out[i] - y[i];
    EXPECT_NEAR(power_db(y) - power_db(n), 20.0, 0.01) << to_string(color);
  }
  // Pink: more power in the low half of the spectrum's octaves (a first difference halves it less).
  const auto pink = augmentation_noise(1 << 15, NoiseColor::kPink, 1, 1, 0);
  const auto white = augmentation_noise(1 << 15, NoiseColor::kWhite, 1, 1, 0);
  auto diff_ratio = [](const std::vector<double>& v) {
    double p = 0, d = 0;
    for (std::size_t i = 1; i < v.size(); ++i) p += v[i] * v[i], d += (v[i] - v[i - 1]) * (v[i] - v[i - 1]);
    return d / p;
  };
  EXPECT_NEAR(diff_ratio(white), 2.0, 0.1);  // white: a difference doubles the power
  EXPECT_LT(diff_ratio(pink), 0.5);
  EXPECT_EQ(augment(std::vector<float>(100, 0.0f), {.noise_snr_db = DbRange{0, 0}}, 1, 1, 1),
            std::vector<float>(100, 0.0f));  // silence: no SNR to keep, nothing added
}

TEST(Augment, BadRangesBitsAndColorsAreRefusedByName) {
  auto param_of = [](const Augmentation& a) {
    try {
      augment({0.1f}, a, 1, 1, 1);
    } catch (const Error& e) { return e.param(); }
    return std::string("(accepted)");
  };
  EXPECT_EQ(param_of({.gain_db = DbRange{0, -10}}), "gain_db");
  EXPECT_EQ(param_of({.gain_db = DbRange{-200, 0}}), "gain_db");
  EXPECT_EQ(param_of({.gain_db = DbRange{NAN, 0}}), "gain_db");
  EXPECT_EQ(param_of({.bits = 4}), "bits");
  EXPECT_EQ(param_of({.dither = true}), "tpdf_dither");
  EXPECT_EQ(param_of({.noise_snr_db = DbRange{40, 10}}), "noise_snr_db");
  EXPECT_THROW(parse_noise_color("brown"), Error);
  EXPECT_EQ(parse_db_range("-60:0", "gain_db"), (DbRange{-60, 0}));
  EXPECT_EQ(parse_db_range("-20", "gain_db"), (DbRange{-20, -20}));
  for (const char* bad : {"", ":", "-60:", "a:b", "-60:0:1", "inf"}) {
    try {
      parse_db_range(bad, "gain_db");
      ADD_FAILURE() << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.param(), "gain_db");
      EXPECT_NE(std::string(e.what()).find("MIN_DB:MAX_DB"), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(augmentation_grid({}, {}, {}, false, NoiseColor::kWhite).size(), 1u);
  EXPECT_EQ(augmentation_grid({std::nullopt, DbRange{-60, 0}}, {0, 16}, {std::nullopt, DbRange{20, 40}}, true,
                              NoiseColor::kPink)
                .size(),
            8u);
}

}  // namespace
}  // namespace melnorm
