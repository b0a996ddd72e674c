// Warnings of one thread collected instead of reported: while a
// WarningCapture is alive on a thread, warn() on that thread appends the
// message (with its subject) here and the process-wide handler does not see
// it. Nested: the innermost collects. extract --strict uses it to turn a
// clip's warnings into its failed row.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace melnorm::detail {

class WarningCapture {
 public:
  WarningCapture() : previous_(std::exchange(current(), this)) {}
  ~WarningCapture() { current() = previous_; }
  WarningCapture(const WarningCapture&) = delete;
  WarningCapture& operator=(const WarningCapture&) = delete;

  const std::vector<std::string>& messages() const { return messages_; }

  // Called by warn(): true when a capture on this thread took the message.
  static bool take(std::string_view message) {
    if (!current()) return false;
    current()->messages_.emplace_back(message);
    return true;
  }

 private:
  static WarningCapture*& current() {
    thread_local WarningCapture* c = nullptr;
    return c;
  }
  WarningCapture* previous_;
  std::vector<std::string> messages_;
};

}  // namespace melnorm::detail
