// Properties of the mel filterbank and the Hz <-> mel scales.
#include <numeric>

#include "melnorm/error.h"
#include "melnorm/mel_filterbank.h"
#include "test_util.h"

namespace melnorm {
namespace {

TEST(MelScale, KnownValues) {
  EXPECT_DOUBLE_EQ(hz_to_mel(1000.0, MelScale::kSlaney), 15.0);  // the log break
  EXPECT_DOUBLE_EQ(hz_to_mel(200.0 / 3.0, MelScale::kSlaney), 1.0);
  EXPECT_NEAR(hz_to_mel(1000.0, MelScale::kHtk), 999.9855371, 1e-6);
  EXPECT_NEAR(hz_to_mel(0.0, MelScale::kHtk), 0.0, 1e-12);
}

TEST(MelScale, RoundTripsBothScales) {
  for (MelScale s : {MelScale::kSlaney, MelScale::kHtk})
    for (double hz = 0.0; hz <= 24000.0; hz += 37.5)
      EXPECT_NEAR(mel_to_hz(hz_to_mel(hz, s), s), hz, 1e-9 * std::max(1.0, hz)) << to_string(s) << " " << hz;
}

TEST(MelScale, IsStrictlyIncreasing) {
  for (MelScale s : {MelScale::kSlaney, MelScale::kHtk})
    for (double hz = 0.0; hz < 20000.0; hz += 10.0) EXPECT_LT(hz_to_mel(hz, s), hz_to_mel(hz + 10.0, s));
}

struct FbCase {
  double sr;
  int n_fft;
  int n_mels;
  MelScale scale;
  FilterNorm norm;
};
void PrintTo(const FbCase& c, std::ostream* os) {
  *os << "sr=" << c.sr << " n_fft=" << c.n_fft << " n_mels=" << c.n_mels << " " << to_string(c.scale) << "/"
      << to_string(c.norm);
}

class FilterbankProperties : public ::testing::TestWithParam<FbCase> {};

TEST_P(FilterbankProperties, NonNegativeAndSparseMatchesDense) {
  const auto c = GetParam();
  MelOptions o{.n_mels = c.n_mels, .scale = c.scale, .norm = c.norm};
  MelFilterbank fb(c.sr, c.n_fft, o);
  const auto dense = fb.dense();
  ASSERT_EQ(dense.size(), std::size_t(c.n_mels) * (c.n_fft / 2 + 1));
  for (float w : dense) EXPECT_GE(w, 0.0f);
  // apply() on a unit impulse at bin k returns column k of the dense matrix.
  std::vector<float> spectrum(fb.n_bins(), 0.0f), out(c.n_mels);
  for (int k = 0; k < fb.n_bins(); k += 7) {
    std::fill(spectrum.begin(), spectrum.end(), 0.0f);
    spectrum[k] = 1.0f;
    fb.apply(spectrum.data(), out.data());
    for (int m = 0; m < c.n_mels; ++m) EXPECT_EQ(out[m], dense[m * fb.n_bins() + k]);
  }
}

TEST_P(FilterbankProperties, EachFilterPeaksNearItsCentre) {
  const auto c = GetParam();
  MelOptions o{.n_mels = c.n_mels, .scale = c.scale, .norm = c.norm};
  MelFilterbank fb(c.sr, c.n_fft, o);
  const double bin_hz = c.sr / c.n_fft;
  for (int m = 0; m < c.n_mels; ++m) {
    auto w = fb.weights(m);
    if (w.empty()) continue;
    const int peak = fb.first_bin(m) + int(std::max_element(w.begin(), w.end()) - w.begin());
    EXPECT_NEAR(peak * bin_hz, fb.band_edges_hz()[m + 1], bin_hz) << "filter " << m;
  }
}

INSTANTIATE_TEST_SUITE_P(Configs, FilterbankProperties,
                         ::testing::Values(FbCase{22050, 2048, 128, MelScale::kSlaney, FilterNorm::kSlaney},
                                           FbCase{16000, 400, 80, MelScale::kHtk, FilterNorm::kNone},
                                           FbCase{8000, 512, 40, MelScale::kSlaney, FilterNorm::kNone},
                                           FbCase{44100, 4096, 64, MelScale::kHtk, FilterNorm::kSlaney}));

TEST(MelFilterbank, SlaneyNormGivesUnitAreaInHz) {
  // Height 2/width over a base of width Hz: area 1. Wide filters (many bins) make the sum exact.
  const double sr = 16000;
  const int n_fft = 16384;
  MelFilterbank fb(sr, n_fft, MelOptions{.n_mels = 40});
  const double bin_hz = sr / n_fft;
  for (int m = 0; m < fb.n_mels(); ++m) {
    auto w = fb.weights(m);
    const double area = std::accumulate(w.begin(), w.end(), 0.0) * bin_hz;
    EXPECT_NEAR(area, 1.0, 0.01) << "filter " << m;
  }
}

TEST(MelFilterbank, NoNormPeaksAtMostOne) {
  MelFilterbank fb(16000, 4096, MelOptions{.n_mels = 40, .norm = FilterNorm::kNone});
  for (int m = 0; m < fb.n_mels(); ++m) {
    auto w = fb.weights(m);
    const float peak = *std::max_element(w.begin(), w.end());
    EXPECT_LE(peak, 1.0f);
    EXPECT_GT(peak, 0.9f);  // many bins per filter: some bin lands near the apex
  }
}

TEST(MelFilterbank, FminFmaxBoundTheFilters) {
  MelFilterbank fb(22050, 2048, MelOptions{.n_mels = 40, .fmin = 300.0, .fmax = 4000.0});
  EXPECT_DOUBLE_EQ(fb.band_edges_hz().front(), 300.0);
  EXPECT_NEAR(fb.band_edges_hz().back(), 4000.0, 1e-9);
  const double bin_hz = 22050.0 / 2048;
  for (int m = 0; m < fb.n_mels(); ++m) {
    EXPECT_GE(fb.first_bin(m) * bin_hz, 300.0 - 1e-9);
    EXPECT_LE((fb.first_bin(m) + int(fb.weights(m).size()) - 1) * bin_hz, 4000.0 + 1e-9);
  }
}

TEST(MelFilterbank, EmptyFiltersWarnLikeLibrosa) {
  std::vector<std::string> warnings;
  auto previous = set_warning_handler([&](std::string_view m) { warnings.emplace_back(m); });
  MelFilterbank fb(16000, 256, MelOptions{.n_mels = 128});  // far more mels than bins
  set_warning_handler(previous);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("empty filters"), std::string::npos) << warnings[0];
  EXPECT_EQ(fb.n_mels(), 128);
}

TEST(MelFilterbank, NoWarningForLibrosaDefaults) {
  int count = 0;
  auto previous = set_warning_handler([&](std::string_view) { ++count; });
  MelFilterbank fb(22050, 2048, MelOptions{});
  set_warning_handler(previous);
  EXPECT_EQ(count, 0);
}

TEST(MelOptions, InvalidValuesNameTheOption) {
  auto expect_param = [](const MelOptions& o, double sr, const std::string& param, const std::string& text) {
    try {
      o.validate(sr);
      ADD_FAILURE() << "expected an error about " << param;
    } catch (const Error& e) {
      EXPECT_EQ(e.param(), param);
      EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
      EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
    }
  };
  expect_param(MelOptions{.n_mels = 0}, 16000, "n_mels", "n_mels=0");
  expect_param(MelOptions{.fmax = 9000.0}, 16000, "fmax", "fmax=9000 must be <= sr/2 = 8000");
  expect_param(MelOptions{.fmin = 5000.0, .fmax = 4000.0}, 16000, "fmin", "fmin=5000 must be < fmax=4000");
  expect_param(MelOptions{.fmin = 8000.0}, 16000, "fmin", "must be < fmax");
  expect_param(MelOptions{.fmin = -1.0}, 16000, "fmin", "fmin=-1");
  expect_param(MelOptions{}, 0, "sr", "sr=0");
  EXPECT_THROW(parse_mel_scale("bark"), Error);
  EXPECT_THROW(parse_filter_norm("l2"), Error);
}

}  // namespace
}  // namespace melnorm
