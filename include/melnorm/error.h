// Errors and warnings. Every user-facing failure in the library is a
// melnorm::Error carrying what kind of problem it is and, for a bad
// option, the option's name (librosa's keyword, e.g. "hop_length").
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace melnorm {

enum class ErrorCode {
  kInvalidArgument,  // an option or array outside what is allowed
  kIo,               // a file that cannot be opened, read or written
  kInvalidData,      // readable input whose content is unusable (empty, NaN, truncated)
};

// A parameter named inside a message, for each front end to render in its
// own words: a keyword (`pad_to`, `fit_on=all`) in C++ and Python, a flag
// (`--pad-to`, `--fit-on all`) on the command line. The text holds markers
// until render_params replaces them.
std::string param_text(std::string_view name, std::string_view value = {});
// (name, value) -> how the front end spells it; value is "" for a bare name.
using ParamRenderer = std::function<std::string(std::string_view name, std::string_view value)>;
// `text` with each param_text marker rendered (keyword form without `render`).
std::string render_params(std::string_view text, const ParamRenderer& render = {});

class Error : public std::runtime_error {
 public:
  // `message` may name parameters with param_text; what() renders them as keywords.
  Error(ErrorCode code, std::string param, const std::string& message)
      : std::runtime_error(render_params(message)), code_(code), param_(std::move(param)), raw_(message) {}

  ErrorCode code() const noexcept { return code_; }
  // The option the error is about ("" when it is not about one option).
  const std::string& param() const noexcept { return param_; }
  // The message with its parameter markers (to prefix and rethrow, or to render).
  const std::string& raw_message() const noexcept { return raw_; }
  std::string message(const ParamRenderer& render) const { return render_params(raw_, render); }

 private:
  ErrorCode code_;
  std::string param_;
  std::string raw_;
};

// Throws Error(kInvalidArgument, param, message).
[[noreturn]] void throw_invalid_argument(std::string param, const std::string& message);

// Warnings (e.g. empty mel filters) go to one handler; the default writes
// "melnorm: warning: ..." to stderr. Returns the previous handler.
using WarningHandler = std::function<void(std::string_view message)>;
WarningHandler set_warning_handler(WarningHandler handler);
void warn(std::string_view message);

// While one is alive on a thread, that thread's warnings go to `handler`
// instead of the process-wide one: a front end collecting one call's
// warnings (Python: each call's own, not another thread's). The threads the
// library starts for that call inherit it. Nested: the innermost wins.
class ThreadWarningHandler {
 public:
  explicit ThreadWarningHandler(WarningHandler handler);
  ~ThreadWarningHandler();
  ThreadWarningHandler(const ThreadWarningHandler&) = delete;
  ThreadWarningHandler& operator=(const ThreadWarningHandler&) = delete;
  // This thread's handler, or null (to hand to a thread started for the same work).
  static const WarningHandler* current();

 private:
  WarningHandler handler_;
  const WarningHandler* previous_;
};

// While one is alive on a thread, that thread's warnings start with
// "<subject>: " (the clip a warning is about). Nested: the innermost wins.
class WarningSubject {
 public:
  explicit WarningSubject(std::string subject);
  ~WarningSubject();
  WarningSubject(const WarningSubject&) = delete;
  WarningSubject& operator=(const WarningSubject&) = delete;

 private:
  std::string previous_;
};

}  // namespace melnorm
