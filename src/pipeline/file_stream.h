// An audio file's features computed block by block (Pipeline::run_file).
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>

#include "melnorm/matrix.h"
#include "melnorm/pipeline_options.h"

namespace melnorm::detail {

// Files whose header promises fewer samples (all channels; about 24 s of 22.05 kHz stereo) are loaded whole:
// their waveform is small, and a stream's engines (FFT plan, filterbank) would be made again per clip.
constexpr std::size_t kStreamFromSamples = std::size_t{1} << 20;

// Whether the options' features of a clip can be computed as its samples arrive: nothing that needs the
// clip's length first (pad_to, segment, target_frames) or its whole waveform (Kaldi's subtract_mean).
bool streams_whole_clip(const PipelineOptions& options);

// The file's features before the whole-clip steps (the stft front end's linear mel, before dB; Kaldi's
// features, before normalization), [bins][frames], decoded, mixed to mono and framed in blocks, equal to the
// offline front end on the loaded waveform; a file at another rate is resampled block by block (the same
// samples as resample() of the whole waveform; `on_resample(from)` is told first). nullopt when the file cannot
// be streamed (its decoder reads whole files only) or its header says it holds fewer than `min_samples`
// samples (all channels): such a file is better loaded whole. `n_samples`: the mono samples at the options'
// rate.
std::optional<Matrix> stream_front_end(const PipelineOptions& options, const std::filesystem::path& path,
                                       std::size_t& n_samples, std::size_t min_samples = kStreamFromSamples,
                                       const std::function<void(int from)>& on_resample = {});

// A segmented file (options.segment, no pad_to) cut as the decoder reaches each segment: `on_segment(start,
// samples)` gets the same pieces, in the same order, as cut_clip on the loaded waveform (a file of at most one
// segment: one zero-padded piece), with only a segment and a block in memory; resampled as stream_front_end
// does. False, with nothing passed, when the file cannot be streamed (a whole-file decoder, or a header
// promising fewer than `min_samples` samples): load it whole. `n_samples`: the mono samples at the options' rate.
bool stream_segments(const PipelineOptions& options, const std::filesystem::path& path, std::size_t& n_samples,
                     const std::function<void(std::size_t start, std::span<const float> piece)>& on_segment,
                     std::size_t min_samples = kStreamFromSamples,
                     const std::function<void(int from)>& on_resample = {});

}  // namespace melnorm::detail
