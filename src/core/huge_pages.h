// Large sample buffers on transparent huge pages. Where the kernel gives huge
// pages only on request (THP "madvise", Debian's default), a 40 MB waveform
// costs ~10,000 page faults on 4 KiB pages, each several microseconds in a VM:
// on a 600 s clip that was as long as the whole Kaldi fbank. Asking for huge
// pages before the buffer is first touched makes it ~20 faults. Nothing
// changes where THP is off or always on, or off Linux: the advice is a hint.
#pragma once

#include <cstddef>
#include <vector>

#include "melnorm/matrix.h"

namespace melnorm::detail {

// Advises huge pages for the 2 MiB-aligned part of [p, p + bytes).
void advise_huge_pages(void* p, std::size_t bytes);

// A vector of n zeros whose storage was advised before it was zeroed (small
// buffers: a plain vector).
template <class T>
std::vector<T> huge_vector(std::size_t n) {
  std::vector<T> v;
  if (n * sizeof(T) >= (std::size_t{4} << 20)) {
    v.reserve(n);
    advise_huge_pages(v.data(), n * sizeof(T));
  }
  v.resize(n);
  return v;
}

// Matrix(rows, cols), its zeros on huge pages when large.
inline Matrix huge_matrix(std::size_t rows, std::size_t cols) {
  Matrix m;
  m.rows = rows, m.cols = cols;
  m.data = huge_vector<float>(rows * cols);
  return m;
}

}  // namespace melnorm::detail
