// The one internal FFT interface. Callers (the STFT) see only RealFft, so
// another backend can be added behind make_real_fft() without touching them.
#pragma once

#include <complex>
#include <cstddef>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <new>

namespace melnorm::detail {

// Forward real-to-complex FFT of one fixed size, in double or single
// precision (T = double | float). librosa transforms in double (numpy.fft);
// a single-precision FFT's rounding floor (~140 dB below a frame's peak)
// shows up as dB errors of up to ~1 dB in quiet bands with ref=1 and no
// top_db, so single is used only where a dB floor hides it (FftPrecision).
// Immutable once made: forward() may run on many threads at once, each with
// its own buffers.
template <class T>
class RealFft {
 public:
  virtual ~RealFft() = default;
  virtual int size() const = 0;
  // in: size() reals; out: size()/2 + 1 bins. Both must be 64-byte aligned
  // (AlignedBuffer). `in` is left unchanged.
  virtual void forward(const T* in, std::complex<T>* out) const = 0;
};

// The backend's transform for size n (fft_fftw.cc or fft_kissfft.cc: one is built).
template <class T>
std::shared_ptr<const RealFft<T>> plan_real_fft(int n);

// The transform for size n, planned once per process and shared (whatever the backend).
template <class T>
std::shared_ptr<const RealFft<T>> make_real_fft(int n) {
  static std::mutex cache_mutex;
  static std::map<int, std::shared_ptr<const RealFft<T>>> cache;
  std::lock_guard lock(cache_mutex);
  auto& slot = cache[n];
  if (!slot) slot = plan_real_fft<T>(n);
  return slot;
}

// A fixed-size, 64-byte aligned, zero-initialised buffer (SIMD-friendly).
template <class T>
class AlignedBuffer {
 public:
  static constexpr std::size_t kAlignment = 64;
  AlignedBuffer() = default;
  explicit AlignedBuffer(std::size_t n) : size_(n) {
    const std::size_t bytes = ((n * sizeof(T) + kAlignment - 1) / kAlignment) * kAlignment;
    data_ = static_cast<T*>(std::aligned_alloc(kAlignment, bytes ? bytes : kAlignment));
    if (!data_) throw std::bad_alloc();
    for (std::size_t i = 0; i < n; ++i) new (data_ + i) T();
  }
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  AlignedBuffer(AlignedBuffer&& o) noexcept : data_(o.data_), size_(o.size_) {
    o.data_ = nullptr;
    o.size_ = 0;
  }
  AlignedBuffer& operator=(AlignedBuffer&& o) noexcept {
    std::swap(data_, o.data_);
    std::swap(size_, o.size_);
    return *this;
  }
  ~AlignedBuffer() { std::free(data_); }

  T* data() { return data_; }
  const T* data() const { return data_; }
  std::size_t size() const { return size_; }
  T& operator[](std::size_t i) { return data_[i]; }

 private:
  T* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace melnorm::detail
