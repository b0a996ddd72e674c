#include "render/draw.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "io/atomic_file.h"
#include "melnorm/error.h"

namespace melnorm::detail {

namespace {

cairo_status_t write_to(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<AtomicFile*>(closure)->write(data, length);
  return CAIRO_STATUS_SUCCESS;
}

}  // namespace

double nice_step(double span, int target) {
  const double raw = span / std::max(target, 1);
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * p >= raw) return m * p;
  return 10 * p;
}

std::string format_tick(double v, double step) {
  char buf[32];
  if (step >= 1) std::snprintf(buf, sizeof buf, "%.0f", v);
  else if (step >= 0.1) std::snprintf(buf, sizeof buf, "%.1f", v);
  else std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

void text(cairo_t* cr, double x, double y, const std::string& s, double align_x, double align_y, double size) {
  cairo_set_font_size(cr, size);
  cairo_text_extents_t e;
  cairo_text_extents(cr, s.c_str(), &e);
  // align 0: left/top edge at (x, y); 0.5: centred; 1: right/bottom edge.
  cairo_move_to(cr, x - e.width * align_x - e.x_bearing, y - e.y_bearing - e.height * align_y);
  cairo_show_text(cr, s.c_str());
}

double text_width(const std::string& s, double size) {
  cairo_surface_t* scratch = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
  cairo_t* cr = cairo_create(scratch);
  cairo_set_font_size(cr, size);
  cairo_text_extents_t e;
  cairo_text_extents(cr, s.c_str(), &e);
  cairo_destroy(cr);
  cairo_surface_destroy(scratch);
  return e.x_advance;
}

void write_png(cairo_surface_t* surface, const std::filesystem::path& path) {
  AtomicFile out(path);
  const cairo_status_t st = cairo_surface_write_to_png_stream(surface, write_to, &out);
  cairo_surface_destroy(surface);
  if (st != CAIRO_STATUS_SUCCESS)
    throw Error(ErrorCode::kIo, "path", path.string() + ": cannot write PNG: " + cairo_status_to_string(st));
  out.commit();
}

}  // namespace melnorm::detail
