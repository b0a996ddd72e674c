// Uses the installed library the way a downstream project would: a 1 kHz
// tone through librosa's defaults, then local z-score. Exits non-zero
// (with the reason) if the result is not what the tone implies.
#include <melnorm/mel_spectrogram.h>
#include <melnorm/normalize.h>
#include <melnorm/version.h>

#include <cmath>
#include <iostream>
#include <numbers>
#include <vector>

int main() {
  const double sr = 22050.0;
  std::vector<float> tone(22050);
  for (std::size_t i = 0; i < tone.size(); ++i)
    tone[i] = 0.5f * static_cast<float>(std::sin(2.0 * std::numbers::pi * 1000.0 * static_cast<double>(i) / sr));
  const melnorm::MelSpectrogram mel(melnorm::preset_options(melnorm::Preset::kLibrosa, sr));
  melnorm::Matrix m = mel.compute(tone);
  // The loudest band in the middle frame must contain 1 kHz.
  const std::size_t t = m.cols / 2;
  std::size_t loudest = 0;
  for (std::size_t b = 1; b < m.rows; ++b)
    if (m(b, t) > m(loudest, t)) loudest = b;
  const auto& edges = mel.filterbank().band_edges_hz();
  if (!(edges[loudest] <= 1000.0 && 1000.0 <= edges[loudest + 2])) {
    std::cerr << "loudest band " << loudest << " spans " << edges[loudest] << ".." << edges[loudest + 2] << " Hz\n";
    return 1;
  }
  melnorm::Normalizer zscore({.method = "zscore"});
  zscore.apply({.data = m.data.data(), .bands = m.rows, .frames = m.cols});
  double mean = 0.0;
  for (float v : m.data) mean += v;
  mean /= static_cast<double>(m.data.size());
  if (std::abs(mean) > 1e-4) {
    std::cerr << "z-scored mean " << mean << '\n';
    return 1;
  }
  std::cout << "melnorm " << melnorm::version() << ": " << m.rows << " x " << m.cols << ", loudest band " << loudest
            << '\n';
  return 0;
}
