#include "melnorm/pcen.h"

#include <cmath>

#include "core/format.h"
#include "melnorm/error.h"

namespace melnorm {

using detail::num;

void PcenOptions::validate() const {
  auto positive = [](double v, const char* name) {
    if (!(v > 0) || !std::isfinite(v))
      throw_invalid_argument(name, std::string(name) + "=" + num(v) + " must be positive");
  };
  auto non_negative = [](double v, const char* name) {
    if (!(v >= 0) || !std::isfinite(v))
      throw_invalid_argument(name, std::string(name) + "=" + num(v) + " must be non-negative");
  };
  positive(sr, "sr");
  if (hop_length <= 0)
    throw_invalid_argument("hop_length", "hop_length=" + num(hop_length) + " must be a positive integer");
  non_negative(gain, "gain");
  non_negative(bias, "bias");
  non_negative(power, "power");
  positive(time_constant, "time_constant");
  positive(eps, "eps");
  positive(input_scale, "input_scale");
  if (b && !(*b >= 0.0 && *b <= 1.0)) throw_invalid_argument("b", "b=" + num(*b) + " must be between 0 and 1");
}

double PcenOptions::smoothing() const {
  if (b) return *b;
  const double t_frames = time_constant * sr / static_cast<double>(hop_length);
  return (std::sqrt(1.0 + 4.0 * t_frames * t_frames) - 1.0) / (2.0 * t_frames * t_frames);
}

Pcen::Pcen(const PcenOptions& options, std::size_t n_bands) : options_(options) {
  options_.validate();
  b_ = options_.smoothing();
  // scipy.signal.lfilter_zi([b], [1, b - 1]) = 1 - b, what librosa uses when zi is None.
  state_.assign(n_bands, 1.0 - b_);
}

void Pcen::set_state(std::vector<double> zi) {
  if (zi.size() != state_.size())
    throw_invalid_argument("zi",
                           "zi has " + num(zi.size()) + " values; expected one per band (" + num(state_.size()) + ")");
  state_ = std::move(zi);
}

void Pcen::process(float* s, std::size_t frames, std::size_t stride) { process(s, nullptr, frames, stride, stride); }

void Pcen::process(float* s, const float* reference, std::size_t frames, std::size_t stride, std::size_t ref_stride) {
  const double b = b_, a = 1.0 - b;
  // The filter state runs in double; the gain and compression in float,
  // which keeps the result within ~1e-6 of librosa's and is 2-3x faster.
  const float gain = static_cast<float>(options_.gain), bias = static_cast<float>(options_.bias);
  const float power = static_cast<float>(options_.power), eps = static_cast<float>(options_.eps);
  const float log_eps = std::log(eps), bias_pow = std::pow(bias, power);
  const double scale = options_.input_scale;
  auto check = [](double x, const float* row, std::size_t band, std::size_t t, const char* what) {
    if (!std::isfinite(x) || x < 0)
      throw Error(ErrorCode::kInvalidData, "S",
                  std::string("PCEN ") + what + " at band " + num(band) + ", frame " + num(t) + " is " +
                      num(static_cast<double>(row[t])) +
                      "; PCEN needs a finite, non-negative (linear magnitude) spectrogram, not dB");
  };
  for (std::size_t band = 0; band < state_.size(); ++band) {
    float* row = s + band * stride;
    const float* ref_row = reference ? reference + band * ref_stride : nullptr;
    double z = state_[band];
    for (std::size_t t = 0; t < frames; ++t) {
      const double x = row[t] * scale;
      check(x, row, band, t, "input");
      double r = x;
      if (ref_row) {
        r = ref_row[t] * scale;
        check(r, ref_row, band, t, "reference");
      }
      // lfilter([b], [1, b - 1]) in direct form II transposed: y = b x + z; z' = (1 - b) y.
      const double smooth_energy = b * r + z;
      z = a * smooth_energy;
      const float smooth = std::exp(-gain * (log_eps + std::log1p(static_cast<float>(smooth_energy / eps))));
      const float xf = static_cast<float>(x);
      // (x * smooth + bias)^power - bias^power, in log space as librosa;
      // with bias 0 that limit is (x * smooth)^power; power 0 is log1p(x * smooth).
      row[t] = power == 0.0f  ? std::log1p(smooth * xf)
               : bias == 0.0f ? std::pow(smooth * xf, power)
                              : bias_pow * std::expm1(power * std::log1p(smooth * xf / bias));
    }
    state_[band] = z;
  }
}

}  // namespace melnorm
