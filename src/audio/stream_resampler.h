// resample() block by block: libsoxr's "high quality" recipe fed as blocks
// arrive. soxr gives the same samples however its input is split, so the
// output equals resample() of the whole waveform, cut or zero-filled to
// ceil(n * ratio) as resample() fixes it.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace melnorm::detail {

class StreamResampler {
 public:
  // Throws Error(kInvalidData, "sr") for a ratio resample() refuses.
  StreamResampler(int from_rate, int to_rate);
  ~StreamResampler();
  StreamResampler(const StreamResampler&) = delete;
  StreamResampler& operator=(const StreamResampler&) = delete;

  // Resamples `n` mono samples; appends to `out` what is final so far (the
  // last few are held back: they may lie past the final length).
  void push(const float* x, std::size_t n, std::vector<float>& out);
  // After the last block: the rest, the whole output being ceil(n_in * ratio).
  void finish(std::vector<float>& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace melnorm::detail
