// Pictures of spectrograms: PNG through cairo, with a time axis in seconds,
// a mel-frequency axis labelled in Hz, a colorbar with its unit, and a
// perceptual colormap (magma).
#pragma once

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "melnorm/matrix.h"

namespace melnorm {

struct PlotPanel {
  const Matrix* spectrogram = nullptr;  // [n_mels][n_frames]
  std::string title;                    // above the panel
  std::string unit;                     // colorbar label: "dB", "z-score", ...
};

struct PlotAxes {
  double sample_rate = 22050.0;         // Hz, for seconds on the time axis
  int hop_length = 512;                 // samples per frame
  std::vector<double> band_centres_hz;  // one per mel band (MelFilterbank::band_edges_hz()[m + 1])
};

// Draws the panels side by side (several rows when there are many) and
// writes the PNG atomically. Throws Error for an empty spectrogram or a
// file that cannot be written.
void render_png(const std::filesystem::path& path, std::span<const PlotPanel> panels, const PlotAxes& axes,
                const std::string& title);

// A line chart: one line per series over shared x values, with axes, labels
// and a legend (the experiments' accuracy vs gain).
struct LineSeries {
  std::string label;
  std::vector<double> x, y;  // same length; NaN y values are skipped
};
struct LineChart {
  std::string title, x_label, y_label;
  std::vector<LineSeries> series;
  std::optional<double> y_min, y_max;  // default: the data's range
};
void render_line_chart(const std::filesystem::path& path, const LineChart& chart);

// A confusion matrix: counts[true][predicted], cells coloured by the row's
// fraction (viridis), counts written in the cells.
void render_confusion(const std::filesystem::path& path, const std::vector<std::vector<std::size_t>>& counts,
                      const std::vector<std::string>& class_names, const std::string& title);

}  // namespace melnorm
