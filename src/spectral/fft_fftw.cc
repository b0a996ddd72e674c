// FFTW3 (double precision) backend of RealFft.
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

class FftwRealFft final : public RealFft {
 public:
  explicit FftwRealFft(int n) : n_(n) {
    AlignedBuffer<double> in(static_cast<std::size_t>(n));
    AlignedBuffer<std::complex<double>> out(static_cast<std::size_t>(n / 2 + 1));
    std::lock_guard lock(planner_mutex());
    // FFTW_ESTIMATE, not FFTW_MEASURE: measured here, MEASURE makes n_fft=2048
    // about 12% faster (0.8 us a frame) but costs ~170 ms of planning per size
    // and process, which a one-clip `melnorm mel` would pay 20 times over.
    plan_ = fftw_plan_dft_r2c_1d(n, in.data(), reinterpret_cast<fftw_complex*>(out.data()), FFTW_ESTIMATE);
    if (!plan_) throw Error(ErrorCode::kInvalidArgument, "n_fft", "FFTW could not plan an FFT of size " + std::to_string(n));
  }
  ~FftwRealFft() override {
    std::lock_guard lock(planner_mutex());
    fftw_destroy_plan(plan_);
  }
  int size() const override { return n_; }
  void forward(const double* in, std::complex<double>* out) const override {
    // Same alignment as at planning time (64 bytes), as the new-array execute requires.
    assert(reinterpret_cast<std::uintptr_t>(in) % AlignedBuffer<double>::kAlignment == 0);
    assert(reinterpret_cast<std::uintptr_t>(out) % AlignedBuffer<double>::kAlignment == 0);
    // r2c out-of-place preserves its input (FFTW's default for r2c).
    fftw_execute_dft_r2c(plan_, const_cast<double*>(in), reinterpret_cast<fftw_complex*>(out));
  }

 private:
  int n_;
  fftw_plan plan_ = nullptr;
};

}  // namespace

std::shared_ptr<const RealFft> make_real_fft(int n) {
  static std::mutex cache_mutex;
  static std::map<int, std::shared_ptr<const RealFft>> cache;
  std::lock_guard lock(cache_mutex);
  auto& slot = cache[n];
  if (!slot) slot = std::make_shared<FftwRealFft>(n);
  return slot;
}

}  // namespace melnorm::detail
