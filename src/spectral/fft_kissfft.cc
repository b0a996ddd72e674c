// KISS FFT backend of RealFft (BSD-3-Clause; Debian's libkissfft-dev), for
// builds that must not link FFTW (GPL-2+): configure with -DMELNORM_FFT=kissfft.
// Header-only C++ template (kissfft.hh), so double and single precision both
// exist although Debian packages only the float C library. Slower than FFTW
// (docs/performance.md), numerically equivalent at the references' tolerances.
#include <kissfft.hh>

#include <vector>

#include "melnorm/error.h"
#include "spectral/fft.h"

namespace melnorm::detail {
namespace {

// An even size n is one complex FFT of n/2 points plus a twiddle pass
// (kissfft::transform_real, which packs the Nyquist bin into bin 0's
// imaginary part). An odd size is a complex FFT of n points over a
// zero-imaginary copy: twice the work, but odd n_fft is rare.
template <class T>
class KissRealFft final : public RealFft<T> {
 public:
  explicit KissRealFft(int n) : n_(n), fft_(static_cast<std::size_t>(n % 2 == 0 ? n / 2 : n), /*inverse=*/false) {}
  int size() const override { return n_; }

  void forward(const T* in, std::complex<T>* out) const override {
    const auto half = static_cast<std::size_t>(n_ / 2);
    if (n_ % 2 == 0) {
      // transform_real writes n/2 values; bin n/2 (Nyquist) arrives in out[0].imag().
      fft_.transform_real(in, out);
      const T dc = out[0].real(), nyquist = out[0].imag();
      out[0] = {dc, T(0)};
      out[half] = {nyquist, T(0)};
      return;
    }
    // Thread-safe: forward() is const and may run on many threads, so the
    // complex scratch is per call (odd sizes only).
    std::vector<std::complex<T>> x(static_cast<std::size_t>(n_)), y(static_cast<std::size_t>(n_));
    for (int i = 0; i < n_; ++i) x[static_cast<std::size_t>(i)] = {in[i], T(0)};
    fft_.transform(x.data(), y.data());
    for (std::size_t k = 0; k <= half; ++k) out[k] = y[k];
  }

 private:
  int n_;
  kissfft<T> fft_;
};

}  // namespace

template <class T>
std::shared_ptr<const RealFft<T>> plan_real_fft(int n) {
  if (n < 2)
    throw Error(ErrorCode::kInvalidArgument, "n_fft", "n_fft=" + std::to_string(n) + " is too small; allowed: >= 2");
  return std::make_shared<KissRealFft<T>>(n);
}

template std::shared_ptr<const RealFft<double>> plan_real_fft<double>(int n);
template std::shared_ptr<const RealFft<float>> plan_real_fft<float>(int n);

}  // namespace melnorm::detail
