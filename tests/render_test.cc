// Pictures: render_png and `melnorm show`.
#include <cairo.h>

#include <fstream>

#include "melnorm/error.h"
#include "melnorm/pcen.h"
#include "melnorm/render.h"
#include "test_util.h"

namespace melnorm {
namespace {

using testing::TempDir;

// Width and height of a PNG, read back with cairo (0 x 0 when unreadable).
std::pair<int, int> png_size(const std::filesystem::path& p) {
  cairo_surface_t* s = cairo_image_surface_create_from_png(p.c_str());
  std::pair<int, int> wh{0, 0};
  if (cairo_surface_status(s) == CAIRO_STATUS_SUCCESS)
    wh = {cairo_image_surface_get_width(s), cairo_image_surface_get_height(s)};
  cairo_surface_destroy(s);
  return wh;
}

TEST(Render, WritesAReadablePngWithOnePanelPerSpectrogram) {
  TempDir dir;
  Matrix m(40, 100);
  for (std::size_t b = 0; b < 40; ++b)
    for (std::size_t t = 0; t < 100; ++t) m(b, t) = static_cast<float>(b) - static_cast<float>(t) * 0.1f;
  PlotAxes axes{.sample_rate = 16000, .hop_length = 160};
  for (int b = 0; b < 40; ++b) axes.band_centres_hz.push_back(50.0 * (b + 1));
  const PlotPanel one[] = {{&m, "a", "dB"}};
  render_png(dir / "one.png", one, axes, "title");
  const auto [w1, h1] = png_size(dir / "one.png");
  EXPECT_GT(w1, 500);
  EXPECT_GT(h1, 300);
  const PlotPanel three[] = {{&m, "a", "dB"}, {&m, "b", "z"}, {&m, "c", "0..1"}};
  render_png(dir / "three.png", three, axes, "");
  const auto [w3, h3] = png_size(dir / "three.png");
  EXPECT_EQ(w3, 3 * w1);  // side by side
  Matrix empty;
  const PlotPanel bad[] = {{&empty, "x", "dB"}};
  EXPECT_THROW(render_png(dir / "bad.png", bad, axes, ""), Error);
  EXPECT_FALSE(std::filesystem::exists(dir / "bad.png"));
}

TEST(Pcen, RejectsNegativeInputInsteadOfReturningNaN) {
  std::vector<float> db = {-20.0f, -10.0f, -5.0f, 0.0f};
  Pcen p(PcenOptions{}, 1);
  try {
    p.process(db, 4);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("non-negative (linear magnitude) spectrogram, not dB"), std::string::npos)
        << e.what();
  }
}

#ifdef MELNORM_CLI_PATH
TEST(Cli, ShowDrawsAudioAndComparisons) {
  TempDir dir;
  const std::string cli = MELNORM_CLI_PATH;
  const auto sample = testing::shell_quote(testing::samples_dir() / "0" / "0_george_5.wav");
  auto r = testing::run_command(cli + " show " + sample + " -o " + testing::shell_quote(dir / "s.png") +
                                " --n-fft 512 --hop 128");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_GT(png_size(dir / "s.png").first, 0);
  r = testing::run_command(cli + " show " + sample + " -o " + testing::shell_quote(dir / "c.png") +
                           " --n-fft 512 --hop 128 --compare none,zscore,pcen");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(png_size(dir / "c.png").first, 3 * png_size(dir / "s.png").first);
  r = testing::run_command(cli + " show " + sample + " -o " + testing::shell_quote(dir / "x.png") +
                           " --compare none,l2");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("method='l2' is not known"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "x.png"));
}
#endif

}  // namespace
}  // namespace melnorm
