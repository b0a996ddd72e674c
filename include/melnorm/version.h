#pragma once

namespace melnorm {

// "MAJOR.MINOR.PATCH" of this build.
const char* version();

}  // namespace melnorm
