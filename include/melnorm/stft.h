// Short-time Fourier transform framing, with librosa's semantics.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "melnorm/window.h"

namespace melnorm {

enum class PadMode {
  kConstant,  // zeros (librosa >= 0.10 default)
  kReflect,   // mirror without repeating the edge sample (torch.stft default)
};
PadMode parse_pad_mode(std::string_view name, std::string param = "pad_mode");
std::string to_string(PadMode mode);

struct StftOptions {
  int n_fft = 2048;       // FFT size, samples
  int hop_length = 512;   // samples between the starts of successive frames
  int win_length = 0;     // window length, samples; 0 means n_fft. A shorter window
                          // is zero-padded at the centre of the n_fft frame.
  WindowType window = WindowType::kHann;
  bool center = true;     // pad n_fft/2 samples at both ends so frame t is centred
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

}  // namespace melnorm
