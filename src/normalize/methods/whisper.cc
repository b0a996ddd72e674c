// OpenAI Whisper's scaling of its log-mel spectrogram, on melnorm's dB
// (10 log10, ref 1): log_spec = max(log_spec, log_spec.max() - 8.0);
// (log_spec + 4) / 4 is, in dB, max(x, max - 80) / 40 + 1.
#include "normalize/method.h"

namespace melnorm::detail {
namespace {

Transform whisper(const Group& g, const Params& p) {
  // Never degenerate: a silent clip is a constant -1.5 in Whisper too.
  return {.clamp = true, .lo = g.moments.max - p("top_db"), .hi = g.moments.max, .shift2 = -40.0, .scale2 = 1.0 / 40.0};
}

}  // namespace

MethodEntry whisper_method() {
  return {
      .info = {.name = "whisper",
               .description = "OpenAI Whisper's log-mel scaling of dB re 1: floor at the clip's peak - top_db "
                              "(8 decades), then x / 40 + 1 (= (log10 + 4) / 4)",
               .params = {{"top_db", 80, 0, 1000, "the floor, in dB below the clip's peak (Whisper: 80 = 8 decades)"}},
               .supports_global = false,
               .constant_to_zero = false,
               .unit = "Whisper log-mel",
               .range = "[peak/40 + 1 - top_db/40, peak/40 + 1]: about [-1, 1] for speech"},
      .transform = whisper,
      .extremes_only = true};
}

}  // namespace melnorm::detail
