// melnorm::Error -> melnorm.ParameterError (a ValueError, as librosa's: a bad
// option or data) or OSError (files), with the library's message.
#include "melnorm/error.h"
#include "bindings.h"

namespace melnorm::python {

namespace {
PyObject* parameter_error = nullptr;  // lives as long as the interpreter (the module holds a reference)
}

void define_error(py::module_& m) {
  parameter_error = PyErr_NewExceptionWithDoc(
      "melnorm.ParameterError",
      "A bad parameter or unusable data (librosa's ParameterError; a subclass of ValueError).", PyExc_ValueError,
      nullptr);
  if (!parameter_error) throw py::error_already_set();
  m.add_object("ParameterError", py::handle(parameter_error));
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {
      PyErr_SetString(e.code() == ErrorCode::kIo ? PyExc_OSError : parameter_error, e.what());
    }
  });
}

}  // namespace melnorm::python
