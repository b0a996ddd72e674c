// Format npy: one [n_mels, frames] .npy per row, mirroring the input tree.
#include <cstdio>

#include "dataset/output_format.h"
#include "io/atomic_file.h"
#include "melnorm/error.h"

namespace melnorm::detail {

namespace fs = std::filesystem;

std::string row_file(const std::string& source_name, std::size_t segment, bool segmented) {
  fs::path p(source_name);
  if (p.is_absolute()) p = p.relative_path();
  std::string stem = p.replace_extension().generic_string();
  // keep outputs inside OUTDIR whatever the listed path looks like
  for (std::size_t pos; (pos = stem.find("../")) != std::string::npos;) stem.replace(pos, 3, "__/");
  if (segmented) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "_s%04zu", segment);
    stem += buf;
  }
  return stem + ".npy";
}

namespace {

class NpySink final : public OutputSink {
 public:
  explicit NpySink(const SinkContext& context) : context_(context) {}

  // A file that cannot be written (a full disk) stops the run: it resumes here.
  std::string write_row(const std::string& source_name, std::size_t segment, std::size_t, ExtractRow& row) override {
    std::string output = row_file(source_name, segment, context_.segmented);
    const Matrix& m = row.features;
    const std::size_t shape[] = {m.rows, m.cols};
    const std::string header = npy_header(context_.dtype, shape);
    const std::vector<std::byte> bytes = encode_floats(m.data, context_.dtype);
    AtomicFile f(context_.out_dir / output, context_.tmp_dir);
    f.write(header.data(), header.size());
    f.write(bytes.data(), bytes.size());
    f.commit();
    return output;
  }

 private:
  SinkContext context_;
};

class NpyReader final : public OutputReader {
 public:
  explicit NpyReader(fs::path out_dir) : out_dir_(std::move(out_dir)) {}
  Matrix row(const std::string& output, std::size_t) const override {
    const fs::path path = out_dir_ / output;
    const NpyArray a = read_npy(path);
    if (a.shape.size() != 2)
      throw Error(ErrorCode::kInvalidData, "out_dir", path.string() + ": a row must be 2-D [n_mels, frames]");
    Matrix m(a.shape[0], a.shape[1]);
    m.data = a.to_float32();
    return m;
  }

 private:
  fs::path out_dir_;
};

}  // namespace

extern const OutputFormat kNpyOutput;
const OutputFormat kNpyOutput{
    .name = "npy",
    .help = "one file per row",
    .same_shape_rows = false,
    .encoded_rows = false,
    .written = {},
    .open = [](const SinkContext& c, const SinkResume&) -> std::unique_ptr<OutputSink> {
      return std::make_unique<NpySink>(c);
    },
    .resume_file = [](const fs::path&) { return fs::path(); },
    .read = [](const fs::path& out_dir, DType, std::size_t, std::size_t, std::size_t) -> std::unique_ptr<OutputReader> {
      return std::make_unique<NpyReader>(out_dir);
    },
};

}  // namespace melnorm::detail
