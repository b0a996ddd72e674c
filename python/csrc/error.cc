// melnorm::Error -> ValueError (bad option or data) or OSError (files), with the library's message.
#include "bindings.h"
#include "melnorm/error.h"

namespace melnorm::python {

void define_error(py::module_&) {
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {
      PyErr_SetString(e.code() == ErrorCode::kIo ? PyExc_OSError : PyExc_ValueError, e.what());
    }
  });
}

}  // namespace melnorm::python
