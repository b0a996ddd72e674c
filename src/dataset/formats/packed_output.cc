// Format packed: every ok row in one [N, F, T] features.npy (mmap-able),
// appended as rows complete to features.npy.partial behind a reserved
// header, which finish() writes before renaming the file into place.
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>

#include "core/format.h"
#include "dataset/output_format.h"
#include "dataset/sources.h"
#include "io/append_file.h"
#include "io/limits.h"
#include "io/mapped_file.h"
#include "melnorm/error.h"

namespace melnorm::detail {

namespace fs = std::filesystem;

namespace {

constexpr const char* kPackedFile = "features.npy";
constexpr const char* kPackedPartial = "features.npy.partial";
constexpr std::size_t kPackedHeaderBytes = 128;            // room for any [N, F, T] shape
constexpr std::size_t kFlushBytes = std::size_t{8} << 20;  // a clip's rows held before they are appended

// n_frames of an "ok" manifest row, the width of every packed row.
std::size_t manifest_frames(const std::string& field, std::size_t n_mels, const fs::path& manifest) {
  std::size_t frames = 0;
  const auto [end, err] = std::from_chars(field.data(), field.data() + field.size(), frames);
  if (err != std::errc() || end != field.data() + field.size() || frames == 0 ||
      frames > kMaxSpectrogramValues / std::max<std::size_t>(n_mels, 1))
    throw Error(ErrorCode::kInvalidData, "out_dir",
                manifest.string() + ": n_frames '" + field + "' is not a frame count; remove OUTDIR or choose another");
  return frames;
}

// The row shape an earlier run fixed: that of the manifest's first ok row.
std::optional<std::array<std::size_t, 2>> shape_in_manifest(const fs::path& manifest, std::size_t n_mels) {
  std::ifstream in(manifest);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    const auto f = parse_csv_line(line);
    if (f.size() >= 4 && f[f.size() - 2] == "ok")
      return std::array<std::size_t, 2>{n_mels, manifest_frames(f[f.size() - 3], n_mels, manifest)};
  }
  return std::nullopt;
}

class PackedSink final : public OutputSink {
 public:
  PackedSink(const SinkContext& context, const SinkResume& resume) : context_(context) {
    std::error_code ec;
    const fs::path partial = context.out_dir / kPackedPartial;
    if (fs::exists(context.out_dir / kPackedFile, ec) && !fs::exists(partial, ec)) return;  // published already
    if (resume.next_source == 0) {
      file_.emplace(partial, 0);
      file_->append(std::string(kPackedHeaderBytes, ' '));  // the real header is written at the end
    } else {
      file_.emplace(partial, resume.bytes);
    }
    if (resume.ok_rows > 0) shape_ = shape_in_manifest(context.manifest, context.n_mels);
  }

  std::string write_row(const std::string&, std::size_t, std::size_t ok_rows_before, ExtractRow& row) override {
    const std::array<std::size_t, 2> shape{context_.n_mels, row.n_frames};
    if (row.encoded.empty()) row.encoded = encode_floats(row.features.data, context_.dtype);
    if (!shape_) shape_ = shape;
    if (*shape_ != shape) {
      row.error = "row is [" + num(shape[0]) + ", " + num(shape[1]) + "] but packed rows are [" + num((*shape_)[0]) +
                  ", " + num((*shape_)[1]) + "]; clips differ in sample rate (set sr)";
      return "";
    }
    block_.append(reinterpret_cast<const char*>(row.encoded.data()), row.encoded.size());
    // A long recording's rows go out as they come (a resume truncates to the last clip's end anyway).
    if (file_ && block_.size() >= kFlushBytes) file_->append(block_), block_.clear();
    return num(ok_rows_before);
  }

  void end_source(std::size_t) override {
    if (file_ && !block_.empty()) file_->append(block_);
    block_.clear();
  }

  std::uintmax_t journal_bytes() const override { return file_ ? file_->size() : 0; }

  // Writes the real header over the reserved bytes, then publishes the file.
  void finish(std::size_t ok_rows) override {
    if (!file_) return;
    const fs::path partial = context_.out_dir / kPackedPartial;
    const std::size_t shape[] = {ok_rows, shape_ ? (*shape_)[0] : context_.n_mels, shape_ ? (*shape_)[1] : 0};
    const std::string h = npy_header(context_.dtype, shape, kPackedHeaderBytes);
    if (h.size() != kPackedHeaderBytes)
      throw Error(ErrorCode::kIo, "path", "packed header does not fit its reserved space");
    file_.reset();
    std::FILE* f = std::fopen(partial.c_str(), "r+b");
    if (!f || std::fwrite(h.data(), 1, h.size(), f) != h.size() || std::fclose(f) != 0)
      throw Error(ErrorCode::kIo, "path", partial.string() + ": cannot write the header");
    std::error_code ec;
    fs::rename(partial, context_.out_dir / kPackedFile, ec);
    if (ec) throw Error(ErrorCode::kIo, "path", partial.string() + ": cannot rename into place: " + ec.message());
  }

 private:
  SinkContext context_;
  std::optional<AppendFile> file_;                   // unset when an earlier run published features.npy
  std::optional<std::array<std::size_t, 2>> shape_;  // [F, T] of every packed row
  std::string block_;                                // the current source's rows
};

// Rows are read in place: row i starts at the header plus i rows.
class PackedReader final : public OutputReader {
 public:
  PackedReader(const fs::path& out_dir, DType dtype, std::size_t ok_rows, std::size_t n_mels, std::size_t frames)
      : file_(std::make_shared<const MappedFile>(out_dir / kPackedFile)),
        dtype_(dtype),
        ok_rows_(ok_rows),
        n_mels_(n_mels),
        frames_(frames),
        row_bytes_(n_mels * frames * (dtype == DType::kFloat16 ? 2 : 4)) {
    const std::size_t shape[] = {ok_rows, n_mels, frames};
    const std::string expected = npy_header(dtype, shape, kPackedHeaderBytes);
    if (file_->size() < expected.size() || expected.compare(0, expected.size(), file_->data(), expected.size()) != 0)
      throw Error(ErrorCode::kInvalidData, "out_dir",
                  file_->path().string() + ": its header does not match manifest.csv (" + num(ok_rows) + " rows of [" +
                      num(n_mels) + ", " + num(frames) + "] " + to_string(dtype) + ")");
    const std::size_t expected_bytes = kPackedHeaderBytes + ok_rows * row_bytes_;
    if (file_->size() != expected_bytes)
      throw Error(ErrorCode::kInvalidData, "out_dir",
                  file_->path().string() + ": " + num(file_->size()) + " bytes, but its header and manifest.csv say " +
                      num(expected_bytes) + " (" + num(ok_rows) + " rows of " + num(row_bytes_) +
                      " bytes after the header): truncated or damaged; re-extract");
  }

  std::optional<FeaturesView> view(const std::string& output, std::size_t) const override {
    const std::size_t index = row_index(output);
    if (index >= ok_rows_)
      throw Error(ErrorCode::kInvalidData, "out_dir",
                  file_->path().string() + ": row " + output + " is past its " + num(ok_rows_) + " rows");
    return FeaturesView{.data = file_->data() + kPackedHeaderBytes + index * row_bytes_,
                        .dtype = dtype_,
                        .n_mels = n_mels_,
                        .frames = frames_,
                        .owner = file_};
  }

  Matrix row(const std::string& output, std::size_t n_frames) const override {
    const FeaturesView v = *view(output, n_frames);
    const auto* bytes = static_cast<const std::byte*>(v.data);
    NpyArray a{.dtype = dtype_, .shape = {n_mels_, frames_}, .data = {bytes, bytes + row_bytes_}};
    Matrix m(n_mels_, frames_);
    m.data = a.to_float32();
    return m;
  }

 private:
  std::size_t row_index(const std::string& output) const {
    std::size_t index = 0;
    const auto [end, err] = std::from_chars(output.data(), output.data() + output.size(), index);
    if (err != std::errc() || end != output.data() + output.size())
      throw Error(ErrorCode::kInvalidData, "out_dir",
                  file_->path().string() + ": output '" + output + "' is not a row index");
    return index;
  }

  std::shared_ptr<const MappedFile> file_;
  DType dtype_;
  std::size_t ok_rows_, n_mels_, frames_, row_bytes_;
};

}  // namespace

extern const OutputFormat kPackedOutput;
const OutputFormat kPackedOutput{
    .name = "packed",
    .help = "one [N, F, T] features.npy",
    .same_shape_rows = true,
    .encoded_rows = true,
    .written = {kPackedFile},
    .open = [](const SinkContext& c, const SinkResume& r) -> std::unique_ptr<OutputSink> {
      return std::make_unique<PackedSink>(c, r);
    },
    .resume_file =
        [](const fs::path& out_dir) {
          std::error_code ec;
          return fs::exists(out_dir / kPackedFile, ec) ? fs::path() : out_dir / kPackedPartial;
        },
    .read = [](const fs::path& out_dir, DType dtype, std::size_t ok_rows, std::size_t n_mels,
               std::size_t frames) -> std::unique_ptr<OutputReader> {
      return std::make_unique<PackedReader>(out_dir, dtype, ok_rows, n_mels, frames);
    },
};

}  // namespace melnorm::detail
