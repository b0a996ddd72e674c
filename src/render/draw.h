// Drawing helpers shared by the pictures (spectrograms, charts): cairo text,
// tick spacing, and writing a surface to a PNG atomically.
#pragma once

#include <cairo.h>

#include <filesystem>
#include <string>

namespace melnorm::detail {

// 1, 2 or 5 times a power of ten, giving about `target` ticks over `span`.
double nice_step(double span, int target);
std::string format_tick(double v, double step);
// align 0: left/top edge at (x, y); 0.5: centred; 1: right/bottom edge.
void text(cairo_t* cr, double x, double y, const std::string& s, double align_x, double align_y, double size = 12);
// The width text() gives `s` at `size`, measured before any surface exists (to size one).
double text_width(const std::string& s, double size = 12);
// Writes the surface as a PNG (temporary name, then renamed) and destroys it.
// Throws Error(kIo) naming the path.
void write_png(cairo_surface_t* surface, const std::filesystem::path& path);

}  // namespace melnorm::detail
