// Pictures of spectrograms: PNG through cairo, with a time axis in seconds,
// a mel-frequency axis labelled in Hz, a colorbar with its unit, and a
// perceptual colormap (magma).
#pragma once

#include <filesystem>
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

}  // namespace melnorm
