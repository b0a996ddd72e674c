// FFTW3 backend of RealFft, double (libfftw3) and single (libfftw3f) precision.
#include <fftw3.h>

#include <cassert>
#include <cstdint>
#include <map>
#include <mutex>

#include "melnorm/error.h"
#include "spectral/fft.h"

namespace melnorm::detail {
namespace {

// FFTW's planner is not thread-safe; fftw_execute_dft_r2c on an existing
// plan is. So planning is serialised here and plans live for the process.
std::mutex& planner_mutex() {
  static std::mutex m;
  return m;
}

// FFTW's API per precision: fftw_* for double, fftwf_* for float.
template <class T>
struct Fftw;
template <>
struct Fftw<double> {
  using plan = fftw_plan;
  using complex = fftw_complex;
  static plan make(int n, double* in, complex* out) { return fftw_plan_dft_r2c_1d(n, in, out, FFTW_ESTIMATE); }
  static void execute(plan p, double* in, complex* out) { fftw_execute_dft_r2c(p, in, out); }
  static void destroy(plan p) { fftw_destroy_plan(p); }
};
template <>
struct Fftw<float> {
  using plan = fftwf_plan;
  using complex = fftwf_complex;
  static plan make(int n, float* in, complex* out) { return fftwf_plan_dft_r2c_1d(n, in, out, FFTW_ESTIMATE); }
  static void execute(plan p, float* in, complex* out) { fftwf_execute_dft_r2c(p, in, out); }
  static void destroy(plan p) { fftwf_destroy_plan(p); }
};

template <class T>
class FftwRealFft final : public RealFft<T> {
  using Api = Fftw<T>;

 public:
  explicit FftwRealFft(int n) : n_(n) {
    AlignedBuffer<T> in(static_cast<std::size_t>(n));
    AlignedBuffer<std::complex<T>> out(static_cast<std::size_t>(n / 2 + 1));
    std::lock_guard lock(planner_mutex());
    // FFTW_ESTIMATE, not FFTW_MEASURE: measured here, MEASURE makes n_fft=2048
    // about 12% faster (0.8 us a frame) but costs ~170 ms of planning per size
    // and process, which a one-clip `melnorm mel` would pay 20 times over, and
    // its choice depends on timing: the bytes would differ between processes.
    plan_ = Api::make(n, in.data(), reinterpret_cast<typename Api::complex*>(out.data()));
    if (!plan_)
      throw Error(ErrorCode::kInvalidArgument, "n_fft", "FFTW could not plan an FFT of size " + std::to_string(n));
  }
  ~FftwRealFft() override {
    std::lock_guard lock(planner_mutex());
    Api::destroy(plan_);
  }
  int size() const override { return n_; }
  void forward(const T* in, std::complex<T>* out) const override {
    // Same alignment as at planning time (64 bytes), as the new-array execute requires.
    assert(reinterpret_cast<std::uintptr_t>(in) % AlignedBuffer<T>::kAlignment == 0);
    assert(reinterpret_cast<std::uintptr_t>(out) % AlignedBuffer<T>::kAlignment == 0);
    // r2c out-of-place preserves its input (FFTW's default for r2c).
    Api::execute(plan_, const_cast<T*>(in), reinterpret_cast<typename Api::complex*>(out));
  }

 private:
  int n_;
  typename Api::plan plan_ = nullptr;
};

}  // namespace

template <class T>
std::shared_ptr<const RealFft<T>> plan_real_fft(int n) {
  return std::make_shared<FftwRealFft<T>>(n);
}

template std::shared_ptr<const RealFft<double>> plan_real_fft<double>(int n);
template std::shared_ptr<const RealFft<float>> plan_real_fft<float>(int n);

}  // namespace melnorm::detail
