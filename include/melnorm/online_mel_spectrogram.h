// Streaming (online) features: audio in chunks of any size, each frame out as
// soon as the samples it covers have arrived, equal to what the offline
// Pipeline gives for the whole signal.
//
//   OnlineMelSpectrogram online(pipeline);      // options (and stats) as offline
//   for (each chunk) use(online.accept(chunk)); // [n_mels][new frames], maybe 0
//   use(online.finish());                       // the frames the end padding completes
//
// What equals the offline result (the same floats; tests compare chunks of
// 1, 7, 160 and 4096 samples with Pipeline::run for both presets):
//   - framing with center on or off, pad_mode constant or reflect: the start
//     padding is built as the offline path builds it (reflect needs the first
//     n_fft/2 + 1 samples before frame 0), the end padding on finish();
//   - dB with a fixed reference (db=ref1) and no top_db floor, or db=off;
//   - Kaldi's front end (frontend=kaldi_fbank|kaldi_mfcc|kaldi_spectrogram,
//     the kaldi and beats presets): snip_edges frames as their last sample
//     arrives; centred frames (snip_edges=false) likewise, the ones that
//     reflect at the end on finish(); dither is a function of (seed, frame,
//     sample), so it is the same; waveform_scale is applied to each sample;
//   - layout=time_first: chunks are [frames][bins], stacked by rows;
//   - normalize=pcen (its filter state carries across chunks);
//   - scope=global with fitted statistics (any method, axis all or band);
//   - scope=local with axis=frame (each frame's own statistics).
// What depends on the whole clip, and so is refused with an Error naming the
// option and what a stream allows: db=max or pP and top_db (the clip's peak or
// percentile), pad_to, segment and target_frames (the clip's length: the
// whisper and ast presets), subtract_mean (Kaldi's per-clip mean), and scope=local with
// axis all or band, unless `window_frames` is set: then each frame is
// normalized with the statistics of the last N frames up to and including it
// (causal: no added latency; not equal to the offline whole-clip statistics).
// The stream is at one rate: it does not resample. One object is one stream:
// calls on it must not overlap (make one per stream; they share nothing).
//
// Latency: a frame is emitted when the last sample of its n_fft window (Kaldi:
// its frame_length) has arrived. Frame t is stamped at sample t * hop_length (librosa's
// frames_to_samples), and its window reaches lookahead_samples() past that:
// n_fft - n_fft/2 with center (n_fft without). The newest frame is therefore
// at most latency_samples() = lookahead + hop_length - 1 samples behind the
// newest sample: one hop plus the look-ahead. (With reflect padding frame 0
// waits for n_fft/2 + 1 samples, one more than the look-ahead for even n_fft.)
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>

#include "melnorm/matrix.h"
#include "melnorm/pipeline.h"

namespace melnorm {

struct OnlineOptions {
  // Hz of the stream. Required when the pipeline has no fixed rate (sr);
  // when it has one, a different value is refused (no resampling).
  std::optional<int> sample_rate;
  // scope=local with axis all or band: normalize each frame with the
  // statistics of the last N frames (N >= 1). Unset: such options are refused.
  std::optional<std::size_t> window_frames;
};

class OnlineMelSpectrogram {
 public:
  // The pipeline's options and statistics (a global scope needs them, checked
  // as offline). Throws Error naming the first option a stream cannot honour.
  explicit OnlineMelSpectrogram(const Pipeline& pipeline, OnlineOptions online = {});
  ~OnlineMelSpectrogram();
  OnlineMelSpectrogram(OnlineMelSpectrogram&&) noexcept;
  OnlineMelSpectrogram& operator=(OnlineMelSpectrogram&&) noexcept;

  // Appends mono samples at sample_rate() and returns the frames they
  // complete: [n_mels][k], k >= 0 ([k][n_mels] with layout=time_first;
  // n_mels() is the bins per frame: mels, ceps or Kaldi's spectrogram bins). NaN/Inf samples are refused (naming the
  // sample's index in the stream) and leave the stream as it was.
  Matrix accept(std::span<const float> samples);
  Matrix accept(const float* samples, std::size_t n) { return accept({samples, n}); }
  // Ends the stream: the frames the end padding completes. An empty stream,
  // or one shorter than n_fft with center off, is refused as offline refuses it.
  Matrix finish();
  // Back to the start (a new stream with the same options).
  void reset();

  const Pipeline& pipeline() const { return pipeline_; }
  int sample_rate() const;
  std::size_t n_mels() const;
  std::size_t hop_length() const;
  std::size_t lookahead_samples() const;
  std::size_t latency_samples() const;
  std::size_t samples_accepted() const;
  std::size_t frames_emitted() const;  // frame t is stamped t * hop_length / sample_rate() seconds
  bool finished() const;

  // Throws Error naming the first option a stream cannot honour (see above).
  static void check_streamable(const PipelineOptions& options, const OnlineOptions& online);

 private:
  struct State;
  Matrix emit_frames();
  Matrix emit_kaldi_frames();
  Matrix finish_kaldi();
  Matrix postprocess(Matrix linear);
  Matrix time_first(Matrix m) const;
  void normalize_over_window(Matrix& frames);
  Pipeline pipeline_;
  OnlineOptions online_;
  std::unique_ptr<State> state_;
};

}  // namespace melnorm
