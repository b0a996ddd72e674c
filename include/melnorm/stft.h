// Short-time Fourier transform framing, with librosa's semantics.
#pragma once

#include <complex>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "melnorm/window.h"

namespace melnorm {

enum class PadMode {
  kConstant,  // zeros (librosa >= 0.10 default)
  kReflect,   // mirror without repeating the edge sample (torch.stft default)
};
PadMode parse_pad_mode(std::string_view name, std::string param = "pad_mode");
std::string to_string(PadMode mode);

struct StftOptions {
  int n_fft = 2048;      // FFT size, samples
  int hop_length = 512;  // samples between the starts of successive frames
  int win_length = 0;    // window length, samples; 0 means n_fft. A shorter window
                         // is zero-padded at the centre of the n_fft frame.
  WindowType window = WindowType::kHann;
  bool center = true;                     // pad n_fft/2 samples at both ends so frame t is centred
                                          // on sample t * hop_length
  PadMode pad_mode = PadMode::kConstant;  // how the `center` padding is filled

  int effective_win_length() const { return win_length > 0 ? win_length : n_fft; }
  int n_bins() const { return n_fft / 2 + 1; }  // one-sided spectrum size
  // Throws Error naming the first invalid option.
  void validate() const;
  // Frames produced for `n_samples` input samples; throws Error when
  // center=false and the input is shorter than n_fft.
  std::size_t n_frames(std::size_t n_samples) const;
};

// librosa.stft: the one-sided complex STFT, [n_bins][n_frames] row-major,
// framed as MelSpectrogram frames (window centred in the n_fft frame, centre
// padding by pad_mode), transformed in double precision (numpy.fft's). Throws
// Error for empty or non-finite input, or input too short for n_fft.
std::vector<std::complex<double>> stft(std::span<const double> samples, const StftOptions& options);

}  // namespace melnorm
