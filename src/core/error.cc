#include "melnorm/error.h"

#include <iostream>
#include <mutex>
#include <utility>

#include "core/warning_capture.h"

namespace melnorm {
namespace {

std::mutex& handler_mutex() {
  static std::mutex m;
  return m;
}

WarningHandler& handler() {
  static WarningHandler h = [](std::string_view message) { std::cerr << "melnorm: warning: " << message << '\n'; };
  return h;
}

thread_local std::string warning_subject;

}  // namespace

WarningSubject::WarningSubject(std::string subject) : previous_(std::exchange(warning_subject, std::move(subject))) {}
WarningSubject::~WarningSubject() { warning_subject = std::move(previous_); }

void throw_invalid_argument(std::string param, const std::string& message) {
  throw Error(ErrorCode::kInvalidArgument, std::move(param), message);
}

WarningHandler set_warning_handler(WarningHandler new_handler) {
  std::lock_guard lock(handler_mutex());
  return std::exchange(handler(), std::move(new_handler));
}

void warn(std::string_view message) {
  const std::string text =
      warning_subject.empty() ? std::string(message) : warning_subject + ": " + std::string(message);
  if (detail::WarningCapture::take(text)) return;  // collected on this thread (extract --strict)
  std::lock_guard lock(handler_mutex());
  if (handler()) handler()(text);
}

}  // namespace melnorm
