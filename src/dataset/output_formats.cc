// The registry of extract's output formats: adding one is its source file
// (defining an OutputFormat) and a line here.
#include "dataset/output_format.h"
#include "melnorm/error.h"

namespace melnorm::detail {

extern const OutputFormat kNpyOutput;     // formats/npy_output.cc
extern const OutputFormat kPackedOutput;  // formats/packed_output.cc
extern const OutputFormat kShardsOutput;  // formats/shards_output.cc

const std::vector<const OutputFormat*>& output_formats() {
  static const std::vector<const OutputFormat*> formats = {&kNpyOutput, &kPackedOutput, &kShardsOutput};
  return formats;
}

const OutputFormat& output_format(const std::string& name) {
  std::string allowed;
  for (const OutputFormat* f : output_formats()) {
    if (f->name == name) return *f;
    allowed += (allowed.empty() ? "" : ", ") + f->name;
  }
  throw_invalid_argument("format", "format='" + name + "' is not supported; allowed: " + allowed);
}

void OutputSink::adopt(const ShardSummary& part) {
  throw_invalid_argument(
      "format", "shard " + std::to_string(part.shard) + " written elsewhere: only format shards is written in parts");
}
void OutputSink::rewrote(const ShardSummary& part) { adopt(part); }

}  // namespace melnorm::detail
