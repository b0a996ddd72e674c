// Windows, framing and STFT option checks, and the complex STFT.
#include <complex>
#include <numbers>

#include "melnorm/error.h"
#include "melnorm/stft.h"
#include "melnorm/window.h"
#include "test_util.h"

namespace melnorm {
namespace {

TEST(Window, PeriodicHannMatchesScipyFftbins) {
  // scipy.signal.get_window('hann', 4, fftbins=True) == [0, 0.5, 1, 0.5]
  const auto w = make_window(WindowType::kHann, 4);
  ASSERT_EQ(w.size(), 4u);
  EXPECT_NEAR(w[0], 0.0, 1e-15);
  EXPECT_NEAR(w[1], 0.5, 1e-15);
  EXPECT_NEAR(w[2], 1.0, 1e-15);
  EXPECT_NEAR(w[3], 0.5, 1e-15);
}

TEST(Window, PeriodicIsSymmetricWindowOfNPlusOneTruncated) {
  for (WindowType t : {WindowType::kHann, WindowType::kHamming, WindowType::kBlackman}) {
    const int n = 16;
    const auto w = make_window(t, n);
    for (int i = 1; i < n; ++i) EXPECT_NEAR(w[i], w[n - i], 1e-12) << to_string(t);  // symmetric about n/2
  }
  EXPECT_NEAR(make_window(WindowType::kHamming, 8)[0], 0.08, 1e-12);
  EXPECT_NEAR(make_window(WindowType::kBlackman, 8)[0], 0.0, 1e-12);
  for (double v : make_window(WindowType::kRectangular, 5)) EXPECT_EQ(v, 1.0);
}

TEST(Window, ParseAcceptsKnownNamesAndRejectsOthers) {
  EXPECT_EQ(parse_window("hann"), WindowType::kHann);
  EXPECT_EQ(parse_window("rect"), WindowType::kRectangular);
  EXPECT_EQ(parse_window("boxcar"), WindowType::kRectangular);
  try {
    parse_window("kaiser");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.param(), "window");
    EXPECT_NE(std::string(e.what()).find("'kaiser'"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("hann, hamming, blackman, rect"), std::string::npos);
  }
}

TEST(StftOptions, FrameCountsFollowLibrosa) {
  StftOptions o{.n_fft = 2048, .hop_length = 512};
  EXPECT_EQ(o.n_frames(22050), 1 + 22050 / 512u);  // centred: 1 + n // hop
  EXPECT_EQ(o.n_frames(1), 1u);
  o.center = false;
  EXPECT_EQ(o.n_frames(2048), 1u);
  EXPECT_EQ(o.n_frames(22050), 1 + (22050 - 2048) / 512u);
  StftOptions odd{.n_fft = 401, .hop_length = 100};
  EXPECT_EQ(odd.n_frames(1000), 1 + (1000 + 400 - 401) / 100u);
}

TEST(StftOptions, TooShortWithoutCentreIsAnError) {
  StftOptions o{.n_fft = 2048, .hop_length = 512, .center = false};
  try {
    o.n_frames(1000);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidData);
    EXPECT_NE(std::string(e.what()).find("1000 samples is shorter than n_fft=2048"), std::string::npos) << e.what();
  }
}

TEST(StftOptions, InvalidValuesNameTheOption) {
  auto expect_param = [](StftOptions o, const std::string& param, const std::string& text) {
    try {
      o.validate();
      ADD_FAILURE() << "expected an error about " << param;
    } catch (const Error& e) {
      EXPECT_EQ(e.param(), param);
      EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
    }
  };
  expect_param({.hop_length = 0}, "hop_length", "hop_length=0 must be a positive integer");
  expect_param({.n_fft = 0}, "n_fft", "n_fft=0 must be a positive integer");
  expect_param({.n_fft = 256, .win_length = 512}, "win_length", "win_length=512 must be <= n_fft=256");
  expect_param({.win_length = -3}, "win_length", "win_length=-3");
  EXPECT_NO_THROW((StftOptions{.n_fft = 512, .win_length = 400}.validate()));
  EXPECT_THROW(parse_pad_mode("edge"), Error);
}

TEST(Stft, EqualsADirectDftOfTheWindowedCentredFrames) {
  // librosa.stft: pad n_fft/2 (zeros or reflect), window of win_length centred in n_fft, one-sided DFT.
  const int n_fft = 16, hop = 5, win = 12;
  std::vector<double> x(41);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::sin(0.7 * i) + 0.1 * std::cos(2.3 * i * i);
  for (PadMode pad : {PadMode::kConstant, PadMode::kReflect}) {
    const StftOptions o{.n_fft = n_fft, .hop_length = hop, .win_length = win, .center = true, .pad_mode = pad};
    const auto D = stft(x, o);
    const std::size_t T = o.n_frames(x.size());
    ASSERT_EQ(D.size(), static_cast<std::size_t>(o.n_bins()) * T);
    const std::vector<double> w = make_window(WindowType::kHann, win);
    const long n = static_cast<long>(x.size());
    for (std::size_t t = 0; t < T; ++t) {
      for (int k = 0; k < o.n_bins(); ++k) {
        std::complex<double> want = 0;
        for (int j = 0; j < win; ++j) {
          long i = static_cast<long>(t) * hop - n_fft / 2 + (n_fft - win) / 2 + j;
          double v = 0;
          if (i >= 0 && i < n) v = x[static_cast<std::size_t>(i)];
          else if (pad == PadMode::kReflect) v = x[static_cast<std::size_t>(i < 0 ? -i : 2 * (n - 1) - i)];
          want += w[static_cast<std::size_t>(j)] * v *
                  std::polar(1.0, -2.0 * std::numbers::pi * k * ((n_fft - win) / 2 + j) / n_fft);
        }
        EXPECT_NEAR(std::abs(D[static_cast<std::size_t>(k) * T + t] - want), 0.0, 1e-9) << "t=" << t << " k=" << k;
      }
    }
  }
}

TEST(Stft, RefusesEmptyNonFiniteAndTooShortInput) {
  const StftOptions o{.n_fft = 8, .hop_length = 2, .center = false};
  EXPECT_THROW(stft(std::vector<double>{}, o), Error);
  EXPECT_THROW(stft(std::vector<double>(4, 0.0), o), Error);  // shorter than n_fft without centring
  std::vector<double> bad(16, 0.0);
  bad[3] = std::nan("");
  try {
    stft(bad, o);
    FAIL() << "NaN accepted";
  } catch (const Error& e) { EXPECT_NE(std::string(e.what()).find("sample 3"), std::string::npos) << e.what(); }
}

}  // namespace
}  // namespace melnorm
