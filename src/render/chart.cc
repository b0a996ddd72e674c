// Charts for the experiments: accuracy curves and confusion matrices (cairo).
#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "melnorm/error.h"
#include "melnorm/render.h"
#include "render/colormaps.h"
#include "render/confusion_layout.h"
#include "render/draw.h"

namespace melnorm {

namespace {

using detail::format_tick;
using detail::nice_step;
using detail::text;

// Distinguishable line colours (Tableau 10), then dashes for more series.
constexpr double kColours[10][3] = {{0.12, 0.47, 0.71}, {1.00, 0.50, 0.05}, {0.17, 0.63, 0.17}, {0.84, 0.15, 0.16},
                                    {0.58, 0.40, 0.74}, {0.55, 0.34, 0.29}, {0.89, 0.47, 0.76}, {0.50, 0.50, 0.50},
                                    {0.74, 0.74, 0.13}, {0.09, 0.75, 0.81}};

cairo_surface_t* white_surface(int w, int h, cairo_t** cr) {
  cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
  *cr = cairo_create(s);
  cairo_set_source_rgb(*cr, 1, 1, 1);
  cairo_paint(*cr);
  cairo_select_font_face(*cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_source_rgb(*cr, 0, 0, 0);
  return s;
}

// The data range a line chart shows (finite points, or the chart's y_min/y_max),
// widened when flat; throws Error for mismatched or empty series.
struct ChartRange {
  double x_lo, x_hi, y_lo, y_hi;
};

ChartRange chart_range(const LineChart& chart) {
  if (chart.series.empty()) throw_invalid_argument("series", "a line chart needs at least one series");
  double x_lo = std::numeric_limits<double>::infinity(), x_hi = -x_lo, y_lo = x_lo, y_hi = -x_lo;
  for (const auto& s : chart.series) {
    if (s.x.size() != s.y.size())
      throw_invalid_argument("series", "series '" + s.label + "' has " + std::to_string(s.x.size()) + " x and " +
                                           std::to_string(s.y.size()) + " y values");
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      if (!std::isfinite(s.y[i])) continue;
      x_lo = std::min(x_lo, s.x[i]), x_hi = std::max(x_hi, s.x[i]);
      y_lo = std::min(y_lo, s.y[i]), y_hi = std::max(y_hi, s.y[i]);
    }
  }
  if (!std::isfinite(x_lo)) throw_invalid_argument("series", "a line chart needs at least one finite point");
  if (chart.y_min) y_lo = *chart.y_min;
  if (chart.y_max) y_hi = *chart.y_max;
  if (x_hi <= x_lo) x_lo -= 1, x_hi += 1;
  if (y_hi <= y_lo) y_lo -= 0.5, y_hi += 0.5;
  return {x_lo, x_hi, y_lo, y_hi};
}

// The plot area on the page (pixels) and the data range it shows.
struct ChartFrame {
  double x0, y0, w, h;
  ChartRange r;
  double px(double x) const { return x0 + (x - r.x_lo) / (r.x_hi - r.x_lo) * w; }
  double py(double y) const { return y0 + h - (y - r.y_lo) / (r.y_hi - r.y_lo) * h; }
};

// Grid lines with their ticks, the frame, the axis labels and the title
// (centred on a page `width` wide).
void draw_chart_axes(cairo_t* cr, const LineChart& chart, const ChartFrame& f, int width) {
  const double x0 = f.x0, y0 = f.y0, w = f.w, h = f.h;
  const auto& [x_lo, x_hi, y_lo, y_hi] = f.r;
  cairo_set_line_width(cr, 1);
  const double xs = nice_step(x_hi - x_lo, 8), ys = nice_step(y_hi - y_lo, 6);
  for (double v = std::ceil(x_lo / xs) * xs; v <= x_hi + 1e-9 * xs; v += xs) {
    cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
    cairo_move_to(cr, f.px(v), y0), cairo_line_to(cr, f.px(v), y0 + h), cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    text(cr, f.px(v), y0 + h + 6, format_tick(v, xs), 0.5, 0, 11);
  }
  for (double v = std::ceil(y_lo / ys) * ys; v <= y_hi + 1e-9 * ys; v += ys) {
    cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
    cairo_move_to(cr, x0, f.py(v)), cairo_line_to(cr, x0 + w, f.py(v)), cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    text(cr, x0 - 6, f.py(v), format_tick(v, ys), 1, 0.5, 11);
  }
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_rectangle(cr, x0, y0, w, h);
  cairo_stroke(cr);
  text(cr, x0 + w / 2, y0 + h + 30, chart.x_label, 0.5, 0, 13);
  cairo_save(cr);
  cairo_translate(cr, 22, y0 + h / 2);
  cairo_rotate(cr, -M_PI / 2);
  text(cr, 0, 0, chart.y_label, 0.5, 0.5, 13);
  cairo_restore(cr);
  text(cr, width / 2.0, 16, chart.title, 0.5, 0, 15);
}

// Series k: its line (broken at non-finite points, clamped to the y range),
// its points, and its legend entry right of the plot. Colour k % 10, dashed
// from the eleventh series on.
void draw_series(cairo_t* cr, const LineSeries& s, std::size_t k, const ChartFrame& f) {
  const auto* c = kColours[k % 10];
  const double dash[] = {6, 4};
  cairo_set_source_rgb(cr, c[0], c[1], c[2]);
  cairo_set_line_width(cr, 2);
  cairo_set_dash(cr, dash, k >= 10 ? 2 : 0, 0);
  bool pen = false;
  for (std::size_t i = 0; i < s.x.size(); ++i) {
    if (!std::isfinite(s.y[i])) {
      pen = false;
      continue;
    }
    const double y = std::clamp(s.y[i], f.r.y_lo, f.r.y_hi);
    pen ? cairo_line_to(cr, f.px(s.x[i]), f.py(y)) : cairo_move_to(cr, f.px(s.x[i]), f.py(y));
    pen = true;
  }
  cairo_stroke(cr);
  for (std::size_t i = 0; i < s.x.size(); ++i) {
    if (!std::isfinite(s.y[i])) continue;
    cairo_arc(cr, f.px(s.x[i]), f.py(std::clamp(s.y[i], f.r.y_lo, f.r.y_hi)), 3, 0, 2 * M_PI);
    cairo_fill(cr);
  }
  const double ly = f.y0 + 8 + 18.0 * static_cast<double>(k);
  const double lx = f.x0 + f.w + 24;
  cairo_move_to(cr, lx, ly + 6), cairo_line_to(cr, lx + 26, ly + 6), cairo_stroke(cr);
  cairo_set_dash(cr, nullptr, 0, 0);
  cairo_set_source_rgb(cr, 0, 0, 0);
  text(cr, lx + 32, ly + 6, s.label, 0, 0.5, 11);
}

}  // namespace

void render_line_chart(const std::filesystem::path& path, const LineChart& chart) {
  const ChartRange range = chart_range(chart);
  constexpr int kPlotW = 620, kPlotH = 380, kLeft = 80, kTop = 56, kBottom = 58;
  double longest_label = 0;  // the legend is as wide as its longest label
  for (const auto& s : chart.series) longest_label = std::max(longest_label, detail::text_width(s.label, 11));
  const int legend_w = std::max(120, 32 + static_cast<int>(std::ceil(longest_label)) + 16);
  const int legend_h = static_cast<int>(chart.series.size()) * 18 + 16;
  const int width = kLeft + kPlotW + 24 + legend_w, height = kTop + std::max(kPlotH, legend_h) + kBottom;
  cairo_t* cr;
  cairo_surface_t* surface = white_surface(width, height, &cr);
  const ChartFrame frame{kLeft, kTop, kPlotW, kPlotH, range};
  draw_chart_axes(cr, chart, frame, width);
  for (std::size_t k = 0; k < chart.series.size(); ++k) draw_series(cr, chart.series[k], k, frame);
  cairo_destroy(cr);
  detail::write_png(surface, path);
}

namespace detail {

namespace {

struct FontMetrics {
  double ascent, descent;
};

// The face the pictures draw with (white_surface's), measured on a scratch surface.
FontMetrics font_metrics(double size) {
  cairo_t* cr;
  cairo_surface_t* s = white_surface(1, 1, &cr);
  cairo_set_font_size(cr, size);
  cairo_font_extents_t e;
  cairo_font_extents(cr, &e);
  cairo_destroy(cr);
  cairo_surface_destroy(s);
  return {e.ascent, e.descent};
}

// `t` with its baseline starting at (x, y), turned by `angle`.
TextPlacement place(const std::string& t, double size, double x, double y, double angle) {
  const FontMetrics m = font_metrics(size);
  const double w = detail::text_width(t, size);
  const double c = std::cos(angle), sn = std::sin(angle);
  const Point u{c, -sn}, v{sn, c};  // along the text; down its glyphs
  auto at = [&](double a, double b) { return Point{x + a * u.x + b * v.x, y + a * u.y + b * v.y}; };
  return {.text = t,
          .size = size,
          .x = x,
          .y = y,
          .angle = angle,
          .box = {at(0, -m.ascent), at(w, -m.ascent), at(w, m.descent), at(0, m.descent)}};
}

double max_x(const TextPlacement& t) {
  double v = t.box[0].x;
  for (const auto& p : t.box) v = std::max(v, p.x);
  return v;
}
double min_y(const TextPlacement& t) {
  double v = t.box[0].y;
  for (const auto& p : t.box) v = std::min(v, p.y);
  return v;
}

void shift(TextPlacement& t, double dx, double dy) {
  t.x += dx, t.y += dy;
  for (auto& p : t.box) p.x += dx, p.y += dy;
}

}  // namespace

ConfusionLayout confusion_layout(const std::vector<std::string>& names, const std::string& title) {
  constexpr double kLabel = 11, kGap = 6, kMargin = 10;
  const std::size_t n = names.size();
  ConfusionLayout L;
  L.cell = std::clamp(480.0 / static_cast<double>(std::max<std::size_t>(n, 1)), 18.0, 60.0);
  const FontMetrics m = font_metrics(kLabel);
  const double line = m.ascent + m.descent;
  double widest = 0;
  for (const auto& c : names) widest = std::max(widest, detail::text_width(c, kLabel));
  // Horizontal while every name fits its cell; 45 degrees while neighbours
  // stay a line apart across the slant; else upright.
  L.column_angle = widest <= L.cell - 4 ? 0.0 : L.cell * std::sin(M_PI / 4) >= line + 2 ? M_PI / 4 : M_PI / 2;
  L.left = std::max(60.0, kMargin + widest + kGap);
  // Column labels placed with the matrix's top at y = 0, then everything moved down.
  const double a = L.column_angle, c = std::cos(a), sn = std::sin(a);
  for (std::size_t i = 0; i < n; ++i) {
    const double xc = L.left + L.cell * (static_cast<double>(i) + 0.5);
    if (a == 0.0) {
      const double w = detail::text_width(names[i], kLabel);
      L.column_labels.push_back(place(names[i], kLabel, xc - w / 2, -kGap - m.descent, 0));
    } else {
      // The box's lowest corner (its start, descent side) sits kGap above the
      // matrix; the start of its height is centred on the column.
      const double mid = (m.descent - m.ascent) / 2;
      L.column_labels.push_back(place(names[i], kLabel, xc - mid * sn, -kGap - m.descent * c, a));
    }
  }
  double labels_top = -kGap;
  for (const auto& t : L.column_labels) labels_top = std::min(labels_top, min_y(t));
  L.title = place(title, 14, 0, 0, 0);
  const double title_h = 14 + kMargin;  // the title's line, and a margin below it
  const double top = kMargin + title_h - labels_top;
  for (auto& t : L.column_labels) shift(t, 0, top);
  L.top = top;
  for (std::size_t i = 0; i < n; ++i) {
    const double w = detail::text_width(names[i], kLabel);
    const double yc = L.top + L.cell * (static_cast<double>(i) + 0.5);
    L.row_labels.push_back(place(names[i], kLabel, L.left - kGap - w, yc + (m.ascent - m.descent) / 2, 0));
  }
  const double bottom = L.top + L.cell * static_cast<double>(n);
  const double centre = L.left + L.cell * static_cast<double>(n) / 2;
  const std::string notes[2] = {"predicted (top labels); true class (left labels)",
                                "colour: fraction of the true class's rows"};
  double right = L.left + L.cell * static_cast<double>(n) + kMargin;
  for (const auto& t : L.column_labels) right = std::max(right, max_x(t) + kMargin);
  double y = bottom + 14;
  for (const auto& note : notes) {
    const double size = note == notes[0] ? 12 : 11;
    const double w = detail::text_width(note, size);
    TextPlacement t = place(note, size, std::max(kMargin, centre - w / 2), y + font_metrics(size).ascent, 0);
    right = std::max(right, max_x(t) + kMargin);
    L.notes.push_back(std::move(t));
    y += 20;
  }
  right = std::max(right, detail::text_width(title, 14) + 2 * kMargin);
  L.width = static_cast<int>(std::ceil(right));
  L.height = static_cast<int>(std::ceil(y + kMargin));
  // The title centred on the picture.
  const double tw = detail::text_width(title, 14);
  L.title = place(title, 14, (L.width - tw) / 2, kMargin + font_metrics(14).ascent, 0);
  return L;
}

}  // namespace detail

void render_confusion(const std::filesystem::path& path, const std::vector<std::vector<std::size_t>>& counts,
                      const std::vector<std::string>& class_names, const std::string& title) {
  const std::size_t n = class_names.size();
  if (n == 0 || counts.size() != n)
    throw_invalid_argument("counts", "a confusion matrix needs one row per class (" + std::to_string(n) + ")");
  for (const auto& r : counts)
    if (r.size() != n) throw_invalid_argument("counts", "confusion rows must have one entry per class");
  const detail::ConfusionLayout L = detail::confusion_layout(class_names, title);
  const double cell = L.cell;
  cairo_t* cr;
  cairo_surface_t* surface = white_surface(L.width, L.height, &cr);
  auto draw = [&](const detail::TextPlacement& t) {
    cairo_save(cr);
    cairo_translate(cr, t.x, t.y);
    cairo_rotate(cr, -t.angle);
    cairo_set_font_size(cr, t.size);
    cairo_move_to(cr, 0, 0);
    cairo_show_text(cr, t.text.c_str());
    cairo_restore(cr);
  };
  cairo_set_source_rgb(cr, 0, 0, 0);
  draw(L.title);
  for (std::size_t t = 0; t < n; ++t) {
    std::size_t row_total = 0;
    for (auto c : counts[t]) row_total += c;
    for (std::size_t p = 0; p < n; ++p) {
      const double frac = row_total ? static_cast<double>(counts[t][p]) / static_cast<double>(row_total) : 0.0;
      const auto& rgb = detail::kViridis[static_cast<std::size_t>(std::lround(frac * 255))];
      const double x = L.left + cell * static_cast<double>(p), y = L.top + cell * static_cast<double>(t);
      cairo_set_source_rgb(cr, rgb[0] / 255.0, rgb[1] / 255.0, rgb[2] / 255.0);
      cairo_rectangle(cr, x, y, cell, cell);
      cairo_fill(cr);
      frac > 0.5 ? cairo_set_source_rgb(cr, 0, 0, 0) : cairo_set_source_rgb(cr, 1, 1, 1);
      text(cr, x + cell / 2, y + cell / 2, std::to_string(counts[t][p]), 0.5, 0.5, std::min(12.0, cell / 2.5));
    }
  }
  cairo_set_source_rgb(cr, 0, 0, 0);
  for (const auto& t : L.row_labels) draw(t);
  for (const auto& t : L.column_labels) draw(t);
  for (const auto& t : L.notes) draw(t);
  cairo_destroy(cr);
  detail::write_png(surface, path);
}

}  // namespace melnorm
