#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "io/atomic_file.h"
#include "melnorm/error.h"
#include "melnorm/render.h"
#include "render/colormaps.h"
#include "render/draw.h"

namespace melnorm {
namespace {

using detail::format_tick;
using detail::nice_step;
using detail::text;

constexpr int kPanelWidth = 560, kPanelHeight = 300;             // the image area of one panel, pixels
constexpr int kLeft = 78, kRight = 96, kTop = 58, kBottom = 52;  // room for axes, colorbar, titles

// Where one panel's image sits on the page, pixels.
struct PanelBox {
  double x0, y0, w, h;
};

// The spectrogram as an image: one pixel per (frame, band), low bands at the
// bottom, colours spread over [lo, hi]; then its frame.
void draw_spectrogram_image(cairo_t* cr, const Matrix& m, double lo, double hi, const PanelBox& box) {
  cairo_surface_t* img =
      cairo_image_surface_create(CAIRO_FORMAT_RGB24, static_cast<int>(m.cols), static_cast<int>(m.rows));
  unsigned char* px = cairo_image_surface_get_data(img);
  const int stride = cairo_image_surface_get_stride(img);
  for (std::size_t b = 0; b < m.rows; ++b) {
    auto* row = reinterpret_cast<std::uint32_t*>(px + (m.rows - 1 - b) * static_cast<std::size_t>(stride));
    for (std::size_t t = 0; t < m.cols; ++t) {
      const int idx = std::clamp(static_cast<int>(std::floor((m(b, t) - lo) / (hi - lo) * 255.0 + 0.5)), 0, 255);
      const auto& c = detail::kMagma[static_cast<std::size_t>(idx)];
      row[t] = (std::uint32_t{c[0]} << 16) | (std::uint32_t{c[1]} << 8) | c[2];
    }
  }
  cairo_surface_mark_dirty(img);
  cairo_save(cr);
  cairo_rectangle(cr, box.x0, box.y0, box.w, box.h);
  cairo_clip(cr);
  cairo_translate(cr, box.x0, box.y0);
  cairo_scale(cr, box.w / static_cast<double>(m.cols), box.h / static_cast<double>(m.rows));
  cairo_set_source_surface(cr, img, 0, 0);
  cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
  cairo_paint(cr);
  cairo_restore(cr);
  cairo_surface_destroy(img);

  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_set_line_width(cr, 1);
  cairo_rectangle(cr, box.x0 + 0.5, box.y0 + 0.5, box.w, box.h);
  cairo_stroke(cr);
}

// Time axis, seconds (frame t is centred at t * hop / sr).
void draw_time_axis(cairo_t* cr, std::size_t frames, const PlotAxes& axes, const PanelBox& box) {
  const double seconds_per_frame = axes.hop_length / axes.sample_rate;
  const double duration = static_cast<double>(frames) * seconds_per_frame;
  const double tstep = nice_step(duration, 6);
  const double bottom = box.y0 + box.h;
  for (double s = 0; s <= duration + 1e-3 * tstep; s += tstep) {
    const double x = box.x0 + s / duration * box.w;
    cairo_move_to(cr, x, bottom);
    cairo_line_to(cr, x, bottom + 5);
    cairo_stroke(cr);
    text(cr, x, bottom + 8, format_tick(s, tstep), 0.5, 0);
  }
  text(cr, box.x0 + box.w / 2, bottom + 28, "time (s)", 0.5, 0);
}

// Frequency axis: band centres are mel-spaced, so Hz ticks sit at interpolated
// band positions (none without one centre per band). The label is rotated at
// label_x.
void draw_frequency_axis(cairo_t* cr, std::size_t bands, const std::vector<double>& c, double label_x,
                         const PanelBox& box) {
  const double x0 = box.x0, y0 = box.y0, h = box.h;
  if (c.size() == bands && bands > 1) {
    const double fmax = c.back();
    for (double f : {0.0, 100.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0, 16000.0}) {
      if (f < c.front() || f > fmax) continue;
      const auto it = std::lower_bound(c.begin(), c.end(), f);
      const std::size_t k = static_cast<std::size_t>(it - c.begin());
      double band = static_cast<double>(k);
      if (k > 0 && k < c.size()) band = (k - 1) + (f - c[k - 1]) / (c[k] - c[k - 1]);
      const double y = y0 + h - (band + 0.5) / static_cast<double>(bands) * h;
      cairo_move_to(cr, x0 - 5, y);
      cairo_line_to(cr, x0, y);
      cairo_stroke(cr);
      text(cr, x0 - 8, y, f >= 1000 ? format_tick(f / 1000, 1) + "k" : format_tick(f, 1), 1, 0.5);
    }
  }
  cairo_save(cr);
  cairo_translate(cr, label_x, y0 + h / 2);
  cairo_rotate(cr, -M_PI / 2);
  text(cr, 0, 0, "mel frequency (Hz)", 0.5, 0.5);
  cairo_restore(cr);
}

// Colorbar over [lo, hi] right of the image, with its unit on top.
void draw_colorbar(cairo_t* cr, double lo, double hi, const std::string& unit, const PanelBox& box) {
  const double bx = box.x0 + box.w + 16, bw = 16, y0 = box.y0, h = box.h;
  for (int i = 0; i < static_cast<int>(h); ++i) {
    const auto& col =
        detail::kMagma[static_cast<std::size_t>(std::clamp(static_cast<int>(255.0 * (h - 1 - i) / (h - 1)), 0, 255))];
    cairo_set_source_rgb(cr, col[0] / 255.0, col[1] / 255.0, col[2] / 255.0);
    cairo_rectangle(cr, bx, y0 + i, bw, 1);
    cairo_fill(cr);
  }
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_rectangle(cr, bx + 0.5, y0 + 0.5, bw, h);
  cairo_stroke(cr);
  const double vstep = nice_step(hi - lo, 5);
  // Ticks within a thousandth of a step of the range count as in it (a peak of -2e-6 dB is 0 dB).
  for (double v = std::ceil(lo / vstep - 1e-3) * vstep; v <= hi + 1e-3 * vstep; v += vstep) {
    const double y = y0 + h - (v - lo) / (hi - lo) * h;
    cairo_move_to(cr, bx + bw, y);
    cairo_line_to(cr, bx + bw + 4, y);
    cairo_stroke(cr);
    text(cr, bx + bw + 6, y, format_tick(v, vstep), 0, 0.5, 11);
  }
  text(cr, bx + bw / 2, y0 - 8, unit, 0.5, 1, 11);
}

// One panel whose top-left corner is (ox, oy): image, axes, colorbar, title.
void draw_panel(cairo_t* cr, double ox, double oy, const PlotPanel& p, const PlotAxes& axes) {
  const Matrix& m = *p.spectrogram;
  const auto [lo_it, hi_it] = std::minmax_element(m.data.begin(), m.data.end());
  const double lo = *lo_it, hi = *hi_it > *lo_it ? *hi_it : *lo_it + 1.0;
  const PanelBox box{ox + kLeft, oy + kTop, kPanelWidth, kPanelHeight};
  draw_spectrogram_image(cr, m, lo, hi, box);
  draw_time_axis(cr, m.cols, axes, box);
  draw_frequency_axis(cr, m.rows, axes.band_centres_hz, ox + 16, box);
  draw_colorbar(cr, lo, hi, p.unit, box);
  text(cr, box.x0 + box.w / 2, oy + kTop - 24, p.title, 0.5, 1, 14);
}

}  // namespace

void render_png(const std::filesystem::path& path, std::span<const PlotPanel> panels, const PlotAxes& axes,
                const std::string& title) {
  if (panels.empty()) throw_invalid_argument("panels", "nothing to draw");
  for (const auto& p : panels)
    if (!p.spectrogram || p.spectrogram->rows == 0 || p.spectrogram->cols == 0)
      throw_invalid_argument("spectrogram", "cannot draw an empty spectrogram");
  if (!(axes.sample_rate > 0) || axes.hop_length <= 0)
    throw_invalid_argument("sr", "the time axis needs a positive sample rate and hop length");
  const int per_row = std::min<int>(static_cast<int>(panels.size()), 3);
  const int rows = (static_cast<int>(panels.size()) + per_row - 1) / per_row;
  const int cell_w = kLeft + kPanelWidth + kRight, cell_h = kTop + kPanelHeight + kBottom;
  const int title_h = title.empty() ? 0 : 34;
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, per_row * cell_w, rows * cell_h + title_h);
  cairo_t* cr = cairo_create(surface);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_source_rgb(cr, 0, 0, 0);
  if (!title.empty()) text(cr, per_row * cell_w / 2.0, 10, title, 0.5, 0, 16);
  for (std::size_t i = 0; i < panels.size(); ++i) {
    const int r = static_cast<int>(i) / per_row, c = static_cast<int>(i) % per_row;
    draw_panel(cr, c * cell_w, title_h + r * cell_h, panels[i], axes);
  }
  cairo_destroy(cr);
  detail::write_png(surface, path);
}

}  // namespace melnorm
