// The most work and memory a file may ask for, in one place. Inputs come from
// anywhere (scraped datasets, uploads): a count read from a file is trusted
// only as far as the file's own bytes back it, or up to these limits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

namespace melnorm::detail {

// Elements of one array not backed by the file's bytes (decoded or resampled
// audio, a spectrogram): 2^31 floats = 8 GiB, about 13 hours of 44.1 kHz mono.
inline constexpr std::size_t kMaxArrayElements = std::size_t{1} << 31;

// Elements an empty .npy array may declare in its other dimensions: no data
// backs them, yet they size per-band and per-item buffers downstream.
inline constexpr std::size_t kMaxUnbackedElements = std::size_t{1} << 20;

// Dimensions of a .npy array (NumPy 2 allows 64).
inline constexpr std::size_t kMaxNpyDims = 64;

// Channels of one waveform: libsndfile's own limit (SF_MAX_CHANNELS).
inline constexpr std::size_t kMaxChannels = 1024;

// Upsampling ratio (target / source rate): 8 kHz -> 192 kHz is 24; beyond
// this a tiny file with a bogus rate would expand into gigabytes.
inline constexpr double kMaxResampleRatio = 256.0;

// Largest sample magnitude: PCM decodes to [-1, 1]; below 1e12 the power
// (n_fft * 1e12)^2 of any frame stays finite in float32 up to n_fft 1.8e7.
inline constexpr double kMaxSampleMagnitude = 1e12;

// Mel bands x frames of one spectrogram: the same 8 GiB as kMaxArrayElements.
inline constexpr std::size_t kMaxSpectrogramValues = kMaxArrayElements;

// Bins of one statistics histogram (4M: a 42,000 dB range at 0.01 dB), and
// the bin indices allowed (|index| <= 2^52: exact in double, no overflow in
// index arithmetic).
inline constexpr std::int64_t kMaxHistogramBins = std::int64_t{1} << 22;
inline constexpr std::int64_t kMaxHistogramIndex = std::int64_t{1} << 52;

// JSON documents melnorm reads whole (statistics, OUTDIR/options.json, pipeline
// records): 64 MiB holds 256 bands of 0.01 dB histograms over 800 dB many times
// over, and parses in well under 1 GiB.
inline constexpr std::size_t kMaxJsonFileBytes = std::size_t{64} << 20;

// Labels CSVs and list files: 1 GiB of text and 2^25 (33 million) rows, ten
// times AudioSet; longer lines than 1 MiB are not a path and a label.
inline constexpr std::size_t kMaxListFileBytes = std::size_t{1} << 30;
inline constexpr std::size_t kMaxListRows = std::size_t{1} << 25;
inline constexpr std::size_t kMaxListLineBytes = std::size_t{1} << 20;

// a * b, or nothing when it overflows.
inline std::optional<std::size_t> checked_mul(std::size_t a, std::size_t b) {
  std::size_t r;
  if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
  return r;
}

}  // namespace melnorm::detail
