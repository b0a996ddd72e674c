#include "melnorm/version.h"

namespace melnorm {

const char* version() { return MELNORM_VERSION_STRING; }

}  // namespace melnorm
