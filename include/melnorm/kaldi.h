// Kaldi's feature front end (compute-fbank-feats, compute-mfcc-feats,
// compute-spectrogram-feats), as torchaudio.compliance.kaldi computes it:
// frames of frame_length ms every frame_shift ms (snip_edges or centred
// framing), optional dither, DC removal, raw or windowed log energy,
// pre-emphasis, Kaldi's windows, a zero-padded FFT, Kaldi's mel bins
// (triangles on the mel axis, 1127 ln(1 + f/700)), log with float epsilon
// as the floor, and for MFCC Kaldi's DCT and liftering. The options are a
// plain struct with torchaudio's keyword names and defaults; the feature
// pipeline declares each as a row of its option schema.
//
// Output is [bins][frames] (melnorm's orientation); Kaldi's own layout
// [frames][bins] is the pipeline's layout=time_first.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "melnorm/matrix.h"

namespace melnorm {

enum class KaldiFeature {
  kFbank,        // log mel filterbank energies (compute-fbank-feats)
  kMfcc,         // cepstra of the log fbank (compute-mfcc-feats)
  kSpectrogram,  // log power spectrum, bin 0 replaced by the log energy (compute-spectrogram-feats)
};

enum class KaldiWindow { kPovey, kHanning, kHamming, kBlackman, kRectangular };
KaldiWindow parse_kaldi_window(std::string_view name);  // povey | hanning | hamming | blackman | rectangular
std::string to_string(KaldiWindow window);

struct KaldiOptions {
  KaldiFeature feature = KaldiFeature::kFbank;
  // Framing and the waveform's treatment, per frame.
  double frame_length = 25.0;  // ms
  double frame_shift = 10.0;   // ms
  bool snip_edges = true;      // true: frames fit inside the signal; false: centred, reflected ends
  bool round_to_power_of_two = true;
  bool remove_dc_offset = true;
  double preemphasis_coefficient = 0.97;
  KaldiWindow window_type = KaldiWindow::kPovey;
  double blackman_coeff = 0.42;
  double dither = 0.0;            // Gaussian noise of this standard deviation added to every frame
  std::uint64_t dither_seed = 0;  // the noise is a function of (seed, frame, sample): the same everywhere
  // Energy.
  bool use_energy = false;  // fbank: add the log energy as a column
  bool raw_energy = true;   // energy before pre-emphasis and windowing
  double energy_floor = 1.0;
  bool htk_compat = false;  // the energy (and MFCC's C0) goes last instead of first
  // Filterbank.
  int num_mel_bins = 23;
  double low_freq = 20.0;
  double high_freq = 0.0;  // <= 0: an offset from the Nyquist frequency
  double vtln_warp = 1.0;  // only 1 (no warping) is supported
  bool use_log_fbank = true;
  bool use_power = true;
  bool subtract_mean = false;  // subtract each bin's mean over the frames (of this clip)
  // MFCC.
  int num_ceps = 13;
  double cepstral_lifter = 22.0;

  // Throws Error naming the first invalid option (torchaudio's refusals, as
  // errors instead of assertions), at `sample_rate` Hz.
  void validate(double sample_rate) const;
  int window_size(double sample_rate) const;         // samples per frame
  int window_shift(double sample_rate) const;        // samples between frames
  int padded_window_size(double sample_rate) const;  // the FFT's size
};

// The defaults of torchaudio.compliance.kaldi.mfcc differ from fbank's in
// nothing but what MFCC reads; spectrogram has no mel bins.

class KaldiComputer {
 public:
  // Validates and prepares the window, the mel bins, the DCT and the FFT plan.
  KaldiComputer(const KaldiOptions& options, double sample_rate);
  ~KaldiComputer();
  KaldiComputer(KaldiComputer&&) noexcept;
  KaldiComputer& operator=(KaldiComputer&&) noexcept;

  const KaldiOptions& options() const { return options_; }
  double sample_rate() const { return sample_rate_; }
  // Bins per frame: mels (+1 with use_energy), num_ceps, or padded/2 + 1.
  std::size_t n_bins() const;
  // Frames n samples give (Kaldi's count; 0 for snip_edges and a clip shorter than a window).
  std::size_t n_frames(std::size_t n_samples) const;

  // [n_bins][n_frames]. Throws Error for NaN/Inf samples and, as torchaudio
  // does, for input shorter than one window.
  Matrix compute(std::span<const float> samples) const;
  // Frames [first, first + count) of the features, written into `out`
  // ([n_bins][stride] row-major, at column `col`). `samples` holds the signal
  // from sample `origin` on (the online computer keeps only what frames still
  // to come read): a frame may read no sample before `origin`, and a frame
  // that reaches past the end of `samples` reflects there (snip_edges=false),
  // as at the end of the whole signal. subtract_mean is not applied here.
  void compute_frames(std::span<const float> samples, std::size_t first, std::size_t count, float* out,
                      std::size_t stride, std::size_t col, std::size_t origin = 0) const;
  // The first sample frame t reads (snip_edges=false: frames near the start
  // read the reflection of samples from 0), and the sample after its last.
  std::size_t frame_begin(std::size_t t) const;
  std::size_t frame_end(std::size_t t) const;

 private:
  struct Impl;
  KaldiOptions options_;
  double sample_rate_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace melnorm
