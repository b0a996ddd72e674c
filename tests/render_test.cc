// Pictures: render_png and `melnorm show`.
#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>

#include "melnorm/error.h"
#include "melnorm/pcen.h"
#include "melnorm/render.h"
#include "render/confusion_layout.h"
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

// Separating-axis test for two convex quadrilaterals: true when their
// interiors overlap by more than half a pixel.
bool overlaps(const detail::Quad& a, const detail::Quad& b) {
  for (const detail::Quad* q : {&a, &b})
    for (std::size_t i = 0; i < 4; ++i) {
      const detail::Point p = (*q)[i], r = (*q)[(i + 1) % 4];
      const double nx = -(r.y - p.y), ny = r.x - p.x, len = std::hypot(nx, ny);
      if (len == 0) continue;
      auto span = [&](const detail::Quad& s) {
        double lo = 1e300, hi = -1e300;
        for (const auto& v : s)
          lo = std::min(lo, (v.x * nx + v.y * ny) / len), hi = std::max(hi, (v.x * nx + v.y * ny) / len);
        return std::pair{lo, hi};
      };
      const auto [alo, ahi] = span(a);
      const auto [blo, bhi] = span(b);
      if (ahi <= blo + 0.5 || bhi <= alo + 0.5) return false;
    }
  return true;
}

detail::Quad rect(double x, double y, double w, double h) { return {{{x, y}, {x + w, y}, {x + w, y + h}, {x, y + h}}}; }

// Every label and note inside the picture, none over another, the title or the cells.
void expect_readable(const detail::ConfusionLayout& L, std::size_t n) {
  ASSERT_EQ(L.column_labels.size(), n);
  ASSERT_EQ(L.row_labels.size(), n);
  const detail::Quad cells = rect(L.left, L.top, L.cell * static_cast<double>(n), L.cell * static_cast<double>(n));
  std::vector<const detail::TextPlacement*> texts = {&L.title};
  for (const auto* group : {&L.column_labels, &L.row_labels, &L.notes})
    for (const auto& t : *group) texts.push_back(&t);
  for (std::size_t i = 0; i < texts.size(); ++i) {
    for (const auto& p : texts[i]->box) {
      EXPECT_GE(p.x, 0) << texts[i]->text;
      EXPECT_LE(p.x, L.width) << texts[i]->text;
      EXPECT_GE(p.y, 0) << texts[i]->text;
      EXPECT_LE(p.y, L.height) << texts[i]->text;
    }
    EXPECT_FALSE(overlaps(texts[i]->box, cells)) << texts[i]->text << " over the cells";
    for (std::size_t j = i + 1; j < texts.size(); ++j)
      EXPECT_FALSE(overlaps(texts[i]->box, texts[j]->box)) << texts[i]->text << " over " << texts[j]->text;
  }
}

// UrbanSound8K's classes: names wider than a cell. The picture, for the docs:
// MELNORM_CONFUSION_PNG=docs/img/confusion_long_names.png melnorm_tests --gtest_filter='Render.Confusion*'
TEST(Render, ConfusionLabelsOfLongClassNamesNeitherOverlapNorLeaveThePicture) {
  const std::vector<std::string> urban = {"air_conditioner", "car_horn",      "children_playing", "dog_bark",
                                          "drilling",        "engine_idling", "gun_shot",         "jackhammer",
                                          "siren",           "street_music"};
  const detail::ConfusionLayout L =
      detail::confusion_layout(urban, "Confusion, clean test set: zscore:global:all bn=channel (all seeds)");
  EXPECT_GT(L.column_angle, 0.0);  // turned: the names are wider than their cells
  expect_readable(L, urban.size());
  // Short names stay horizontal; many classes (narrow cells) still do not overlap.
  EXPECT_EQ(detail::confusion_layout({"cat", "dog"}, "c").column_angle, 0.0);
  expect_readable(detail::confusion_layout({"cat", "dog"}, "a title wider than the two cells of the matrix"), 2);
  std::vector<std::string> many;
  for (int i = 0; i < 40; ++i) many.push_back("class_with_a_long_name_" + std::to_string(i));
  expect_readable(detail::confusion_layout(many, "forty classes"), many.size());

  std::vector<std::vector<std::size_t>> counts(urban.size(), std::vector<std::size_t>(urban.size(), 1));
  for (std::size_t i = 0; i < urban.size(); ++i) counts[i][i] = 30 + 3 * i;
  counts[0][5] = 9, counts[9][2] = 12, counts[6][4] = 6;  // some confusions
  TempDir dir;
  const char* docs = std::getenv("MELNORM_CONFUSION_PNG");
  const std::filesystem::path png = docs ? std::filesystem::path(docs) : dir / "confusion.png";
  render_confusion(png, counts, urban, "Confusion, clean test set: zscore:global:all bn=channel (all seeds)");
  EXPECT_EQ(png_size(png), std::make_pair(L.width, L.height));
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
  EXPECT_NE(r.output.find("'l2' is not known"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "x.png"));
}
#endif

}  // namespace
}  // namespace melnorm
