// Ctrl-C and SIGTERM during a resumable command: one line saying how far it
// got and that the same command resumes, then exit 130 (SIGINT) or 143
// (SIGTERM). Whatever is on disk is whole (every output is renamed into
// place), so stopping at once is safe; the handler only formats numbers
// (async-signal-safe: write(2), _exit(2)).
#pragma once

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstddef>
#include <cstring>

namespace melnorm::cli {

class InterruptReport {
 public:
  // `unit`: "clips"; `resume`: what to run again, e.g. "run the same command to resume".
  static void install(const char* unit, const char* resume) {
    unit_ = unit, resume_ = resume;
    struct sigaction sa {};
    sa.sa_handler = &InterruptReport::on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
  }
  static void progress(std::size_t done, std::size_t total) { done_ = done, total_ = total; }

 private:
  static void append(char*& p, const char* text) {
    for (; *text; ++text) *p++ = *text;
  }
  static void append(char*& p, std::size_t n) {
    char digits[24];
    int k = 0;
    do digits[k++] = static_cast<char>('0' + n % 10), n /= 10;
    while (n);
    while (k) *p++ = digits[--k];
  }
  static void on_signal(int sig) {
    char line[256];
    char* p = line;
    append(p, "\nmelnorm: interrupted after ");
    append(p, done_.load());
    append(p, " of ");
    append(p, total_.load());
    append(p, " ");
    append(p, unit_);
    append(p, "; ");
    append(p, resume_);
    append(p, "\n");
    [[maybe_unused]] const auto n = ::write(2, line, static_cast<std::size_t>(p - line));
    ::_exit(128 + sig);
  }
  static inline std::atomic<std::size_t> done_{0}, total_{0};
  static inline const char* unit_ = "clips";
  static inline const char* resume_ = "run the same command to resume";
};

}  // namespace melnorm::cli
