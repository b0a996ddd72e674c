#include "melnorm/stft.h"

#include "core/format.h"
#include "melnorm/error.h"

namespace melnorm {

using detail::num;

PadMode parse_pad_mode(std::string_view name, std::string param) {
  if (name == "constant") return PadMode::kConstant;
  if (name == "reflect") return PadMode::kReflect;
  throw_invalid_argument(param, param + "='" + std::string(name) +
                                               "' is not supported; allowed: constant, reflect");
}

std::string to_string(PadMode mode) {
  return mode == PadMode::kConstant ? "constant" : "reflect";
}

void StftOptions::validate() const {
  if (n_fft <= 0) throw_invalid_argument("n_fft", "n_fft=" + num(n_fft) + " must be a positive integer");
  if (hop_length <= 0)
    throw_invalid_argument("hop_length", "hop_length=" + num(hop_length) + " must be a positive integer");
  if (win_length < 0)
    throw_invalid_argument("win_length", "win_length=" + num(win_length) +
                                             " must be a positive integer (or 0 for n_fft)");
  if (win_length > n_fft)
    throw_invalid_argument("win_length", "win_length=" + num(win_length) +
                                             " must be <= n_fft=" + num(n_fft));
}

std::size_t StftOptions::n_frames(std::size_t n_samples) const {
  const std::size_t nfft = static_cast<std::size_t>(n_fft);
  const std::size_t hop = static_cast<std::size_t>(hop_length);
  const std::size_t padded = center ? n_samples + 2 * (nfft / 2) : n_samples;
  if (padded < nfft) {
    throw Error(ErrorCode::kInvalidData, "n_fft",
                "input of " + num(n_samples) + " samples is shorter than n_fft=" + num(n_fft) +
                    (center ? " even after centre padding" : " with center=False") +
                    "; use a smaller n_fft" + (center ? "" : " or center=True"));
  }
  return 1 + (padded - nfft) / hop;
}

}  // namespace melnorm
