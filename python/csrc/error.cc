// melnorm::Error -> melnorm.ParameterError (a ValueError, as librosa's: a bad
// option or data) or OSError (files), with the library's message.
#include "melnorm/error.h"
#include <string>
#include <string_view>

#include "bindings.h"

namespace melnorm::python {

namespace {
PyObject* parameter_error = nullptr;

// A parameter named in a message, as Python spells it: the keyword, with
// Python's literals (fit_on='all', pad_short=True); the few CLI-only switches
// as the keyword that means them.
std::string render_keyword(std::string_view name, std::string_view value) {
  if (name == "no_segment") return "segment=False";
  if (value.empty()) return std::string(name);
  const bool literal = value == "true" || value == "false" ||
                       value.find_first_not_of("0123456789.-+e") == std::string_view::npos || value.front() == '\'';
  const std::string v = value == "true" ? "True" : value == "false" ? "False" : std::string(value);
  return std::string(name) + "=" + (literal ? v : "'" + v + "'");
}  // lives as long as the interpreter (the module holds a reference)
}  // namespace

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
      PyErr_SetString(e.code() == ErrorCode::kIo ? PyExc_OSError : parameter_error, e.message(render_keyword).c_str());
    }
  });
}

}  // namespace melnorm::python
