#include "melnorm/stft.h"

#include <cmath>
#include <cstdint>

#include "core/format.h"
#include "melnorm/error.h"
#include "spectral/fft.h"

namespace melnorm {

using detail::num;

PadMode parse_pad_mode(std::string_view name, std::string param) {
  if (name == "constant") return PadMode::kConstant;
  if (name == "reflect") return PadMode::kReflect;
  throw_invalid_argument(param, param + "='" + std::string(name) + "' is not supported; allowed: constant, reflect");
}

std::string to_string(PadMode mode) { return mode == PadMode::kConstant ? "constant" : "reflect"; }

void StftOptions::validate() const {
  if (n_fft <= 0) throw_invalid_argument("n_fft", "n_fft=" + num(n_fft) + " must be a positive integer");
  if (hop_length <= 0)
    throw_invalid_argument("hop_length", "hop_length=" + num(hop_length) + " must be a positive integer");
  if (win_length < 0)
    throw_invalid_argument("win_length",
                           "win_length=" + num(win_length) + " must be a positive integer (or 0 for n_fft)");
  if (win_length > n_fft)
    throw_invalid_argument("win_length", "win_length=" + num(win_length) + " must be <= n_fft=" + num(n_fft));
}

std::size_t StftOptions::n_frames(std::size_t n_samples) const {
  const std::size_t nfft = static_cast<std::size_t>(n_fft);
  const std::size_t hop = static_cast<std::size_t>(hop_length);
  const std::size_t padded = center ? n_samples + 2 * (nfft / 2) : n_samples;
  if (padded < nfft) {
    throw Error(ErrorCode::kInvalidData, "n_fft",
                "input of " + num(n_samples) + " samples is shorter than n_fft=" + num(n_fft) +
                    (center ? " even after centre padding" : " with center=False") + "; use a smaller n_fft" +
                    (center ? "" : " or center=True"));
  }
  return 1 + (padded - nfft) / hop;
}

std::vector<std::complex<double>> stft(std::span<const double> x, const StftOptions& s) {
  s.validate();
  if (x.empty()) throw Error(ErrorCode::kInvalidData, "y", "input waveform is empty (0 samples)");
  for (std::size_t i = 0; i < x.size(); ++i)
    if (!std::isfinite(x[i]))
      throw Error(ErrorCode::kInvalidData, "y",
                  "input waveform: sample " + num(i) + " is " + num(x[i]) + "; audio must be finite everywhere");
  const std::size_t n_frames = s.n_frames(x.size());  // throws when too short
  const std::size_t n_bins = static_cast<std::size_t>(s.n_bins());
  const int win = s.effective_win_length();
  const int off = (s.n_fft - win) / 2;  // librosa.util.pad_center
  const std::vector<double> window = make_window(s.window, win);
  const auto fft = detail::make_real_fft<double>(s.n_fft);
  detail::AlignedBuffer<double> frame(static_cast<std::size_t>(s.n_fft));  // zeros outside the window stay zero
  detail::AlignedBuffer<std::complex<double>> bins(n_bins);
  const std::int64_t n = static_cast<std::int64_t>(x.size());
  const std::int64_t pad = s.center ? s.n_fft / 2 : 0;
  // numpy.pad's "reflect": period 2(n-1), the edge sample not repeated.
  auto reflect = [n](std::int64_t i) {
    if (n == 1) return std::int64_t{0};
    const std::int64_t period = 2 * (n - 1);
    i %= period;
    if (i < 0) i += period;
    return i < n ? i : period - i;
  };
  std::vector<std::complex<double>> out(n_bins * n_frames);
  for (std::size_t t = 0; t < n_frames; ++t) {
    const std::int64_t first = static_cast<std::int64_t>(t) * s.hop_length - pad + off;
    for (int j = 0; j < win; ++j) {
      const std::int64_t i = first + j;
      double v;
      if (i >= 0 && i < n) v = x[static_cast<std::size_t>(i)];
      else if (s.pad_mode == PadMode::kConstant) v = 0.0;
      else v = x[static_cast<std::size_t>(reflect(i))];
      frame[static_cast<std::size_t>(off) + static_cast<std::size_t>(j)] = window[static_cast<std::size_t>(j)] * v;
    }
    fft->forward(frame.data(), bins.data());
    for (std::size_t k = 0; k < n_bins; ++k) out[k * n_frames + t] = bins[k];
  }
  return out;
}

}  // namespace melnorm
