// Audio -> (log-)mel spectrogram: STFT -> |X|^power -> mel filterbank -> dB.
#pragma once

#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "melnorm/db.h"
#include "melnorm/matrix.h"
#include "melnorm/mel_filterbank.h"
#include "melnorm/stft.h"

namespace melnorm {

// The FFT's floating-point precision. Single is ~1.4x faster; its rounding
// floor sits ~140 dB below each frame's peak, which a dB floor of top_db <= 80
// hides (errors <= ~0.01 dB, typically 1e-4) but ref=1 without top_db shows
// (up to ~1 dB in quiet bands): librosa's numbers there need double.
enum class FftPrecision {
  kAuto,    // single for compute() with dB on and top_db <= 80; double otherwise
  kDouble,  // always double (numpy.fft's precision)
  kSingle,  // always single
};
FftPrecision parse_fft_precision(std::string_view name);  // auto | double | single
std::string to_string(FftPrecision precision);

struct MelSpectrogramOptions;
// The precision compute() transforms in for these options (kAuto resolved): kDouble or kSingle.
FftPrecision effective_fft_precision(const MelSpectrogramOptions& options);

struct MelSpectrogramOptions {
  double sample_rate = 22050.0;  // Hz of the waveform given to compute()
  StftOptions stft;
  MelOptions mel;
  double power = 2.0;  // 2: power spectrogram, 1: magnitude
  DbOptions db;        // dB uses power_to_db for power 2, amplitude_to_db for 1
  FftPrecision fft_precision = FftPrecision::kAuto;

  // Throws Error naming the first invalid option.
  void validate() const;
};

enum class Preset {
  kLibrosa,     // librosa 0.10 feature.melspectrogram defaults: n_fft 2048, hop 512,
                // 128 mels, Slaney scale, slaney norm, centred with zero padding
  kTorchaudio,  // torchaudio transforms.MelSpectrogram defaults: n_fft 400, hop 200,
                // 128 mels, HTK scale, no norm, centred with reflect padding
};
Preset parse_preset(std::string_view name, std::string param = "preset");
std::string to_string(Preset preset);
// The preset's spectrogram options; `db` keeps its defaults (ref = max, top_db 80).
// Presets are declared once, with the option schema (src/pipeline/pipeline_options.cc).
MelSpectrogramOptions preset_options(Preset preset, double sample_rate);

class MelSpectrogram {
 public:
  // Validates the options and prepares the window, the filterbank and the
  // FFT plan once. compute() is const and safe to call from many threads.
  explicit MelSpectrogram(const MelSpectrogramOptions& options);
  ~MelSpectrogram();
  MelSpectrogram(MelSpectrogram&&) noexcept;
  MelSpectrogram& operator=(MelSpectrogram&&) noexcept;

  const MelSpectrogramOptions& options() const { return options_; }
  const MelFilterbank& filterbank() const { return *filterbank_; }
  std::size_t n_frames(std::size_t n_samples) const { return options_.stft.n_frames(n_samples); }

  // [n_mels][n_frames] float32. Throws Error for empty input, NaN/Inf samples
  // (with the first bad index) or input shorter than n_fft without centring.
  Matrix compute(std::span<const float> samples) const;
  // The mel spectrogram before dB conversion, whatever options().db says
  // (in double precision unless fft_precision is kSingle: no floor hides rounding).
  Matrix compute_linear(std::span<const float> samples) const;

 private:
  template <class T>
  Matrix compute_linear_as(std::span<const float> samples) const;
  struct Impl;
  MelSpectrogramOptions options_;
  std::unique_ptr<MelFilterbank> filterbank_;
  std::unique_ptr<Impl> impl_;
};

// Applies options.db to a linear mel spectrogram, in place.
void apply_db(Matrix& mel, const MelSpectrogramOptions& options);

}  // namespace melnorm
