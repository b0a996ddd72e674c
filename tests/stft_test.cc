// Windows, framing and STFT option checks.
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

}  // namespace
}  // namespace melnorm
