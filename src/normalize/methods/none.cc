// normalize=none: the features as they are. PipelineOptions keeps it as an
// unset `normalize` (so fingerprints and records read "none" as before).
#include "normalize/method.h"

namespace melnorm::detail {
namespace {

class Identity final : public Method {
 public:
  void apply(float*, std::size_t, std::size_t, std::size_t) const override {}
};

std::unique_ptr<Method> make_identity(const Params&) { return std::make_unique<Identity>(); }

}  // namespace

MethodEntry none_method() {
  return {.info = {.name = "none",
                   .description = "no normalization: the features as they are",
                   .kind = MethodKind::kIdentity,
                   .unit = "",
                   .range = "the input's"},
          .make = make_identity};
}

}  // namespace melnorm::detail
