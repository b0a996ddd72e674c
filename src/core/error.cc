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
thread_local const WarningHandler* thread_handler = nullptr;

}  // namespace

ThreadWarningHandler::ThreadWarningHandler(WarningHandler handler)
    : handler_(std::move(handler)), previous_(std::exchange(thread_handler, &handler_)) {}
ThreadWarningHandler::~ThreadWarningHandler() { thread_handler = previous_; }
const WarningHandler* ThreadWarningHandler::current() { return thread_handler; }

WarningSubject::WarningSubject(std::string subject) : previous_(std::exchange(warning_subject, std::move(subject))) {}
WarningSubject::~WarningSubject() { warning_subject = std::move(previous_); }

namespace {
constexpr char kMark = '\x1f';  // around a parameter: \x1f name [\x1e value] \x1f
constexpr char kValue = '\x1e';
}  // namespace

std::string param_text(std::string_view name, std::string_view value) {
  std::string out(1, kMark);
  out.append(name);
  if (!value.empty()) out.append(1, kValue).append(value);
  return out.append(1, kMark);
}

std::string render_params(std::string_view text, const ParamRenderer& render) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t open = text.find(kMark, i);
    const std::size_t close = open == std::string_view::npos ? open : text.find(kMark, open + 1);
    if (close == std::string_view::npos) {
      out.append(text.substr(i));
      break;
    }
    out.append(text.substr(i, open - i));
    const std::string_view inner = text.substr(open + 1, close - open - 1);
    const std::size_t v = inner.find(kValue);
    const std::string_view name = inner.substr(0, v), value = v == std::string_view::npos ? "" : inner.substr(v + 1);
    if (render) out.append(render(name, value));
    else out.append(name).append(value.empty() ? "" : "=").append(value);
    i = close + 1;
  }
  return out;
}

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
  if (thread_handler) {                            // this thread's call collects its own
    (*thread_handler)(text);
    return;
  }
  std::lock_guard lock(handler_mutex());
  if (handler()) handler()(text);
}

}  // namespace melnorm
