#include "dataset/shard_tar.h"

#include <nlohmann/json.hpp>

#include <array>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "core/format.h"
#include "melnorm/error.h"

namespace melnorm::detail {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kBlock = 512;

// A field of a ustar header: octal digits, zero-padded, NUL-terminated.
void octal(char* field, std::size_t width, std::uintmax_t value) {
  std::snprintf(field, width, "%0*llo", static_cast<int>(width - 1), static_cast<unsigned long long>(value));
}

// A regular file's ustar header with everything that could vary between
// machines fixed: mode 0644, owner 0/0 without names, mtime 0.
std::array<char, kBlock> ustar_header(const std::string& name, std::size_t bytes) {
  std::array<char, kBlock> h{};
  std::memcpy(h.data(), name.data(), name.size());  // name: [0, 100)
  octal(h.data() + 100, 8, 0644);                   // mode
  octal(h.data() + 108, 8, 0);                      // uid
  octal(h.data() + 116, 8, 0);                      // gid
  octal(h.data() + 124, 12, bytes);                 // size
  octal(h.data() + 136, 12, 0);                     // mtime
  h[156] = '0';                                     // typeflag: a regular file
  std::memcpy(h.data() + 257, "ustar", 6);          // magic, NUL-terminated
  std::memcpy(h.data() + 263, "00", 2);             // version
  std::memset(h.data() + 148, ' ', 8);              // the checksum counts its own field as spaces
  unsigned sum = 0;
  for (char c : h) sum += static_cast<unsigned char>(c);
  std::snprintf(h.data() + 148, 8, "%06o", sum);  // six digits, NUL, then the space already there
  return h;
}

std::uintmax_t parse_octal(const char* field, std::size_t width) {
  std::uintmax_t v = 0;
  for (std::size_t i = 0; i < width && field[i] >= '0' && field[i] <= '7'; ++i) v = v * 8 + (field[i] - '0');
  return v;
}

// A row's metadata member: what its manifest line says, as JSON (keys in a fixed order).
std::string row_json(const SourceList& list, std::size_t clip, std::size_t segment, const ExtractRow& row) {
  const Source& src = list.sources.at(clip);
  nlohmann::ordered_json j;
  j["clip"] = clip;
  j["segment"] = segment;
  j["source"] = src.name;
  j["label"] = src.label;
  j["split"] = list.split_column ? src.extra.at(*list.split_column) : std::string();
  char offset[32];
  std::snprintf(offset, sizeof offset, "%.3f", row.offset);  // as manifest.csv writes it
  j["offset"] = std::stod(offset);
  j["frames"] = row.n_frames;
  nlohmann::ordered_json columns = nlohmann::ordered_json::object();
  for (std::size_t c = 0; c < list.extra_columns.size(); ++c) columns[list.extra_columns[c]] = src.extra.at(c);
  j["columns"] = std::move(columns);
  return j.dump();
}

}  // namespace

std::string shard_file(std::size_t shard) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "shard-%06zu.tar", shard);
  return buf;
}

std::string shard_key(std::size_t clip, std::size_t segment, bool segmented) {
  char buf[48];
  if (segmented) std::snprintf(buf, sizeof buf, "%09zu_s%04zu", clip, segment);
  else std::snprintf(buf, sizeof buf, "%09zu", clip);
  return buf;
}

ShardTarWriter::ShardTarWriter(const fs::path& out_dir, const fs::path& tmp_dir, std::size_t shard)
    : file_(shard_file(shard)), out_(out_dir / file_, tmp_dir) {}

void ShardTarWriter::put(const void* data, std::size_t bytes) {
  out_.write(data, bytes);
  sha_.update(data, bytes);
  bytes_ += bytes;
}

void ShardTarWriter::add_member(const std::string& name, const void* data, std::size_t bytes) {
  if (name.size() >= 100) throw_invalid_argument("shard_size", "tar member name too long: " + name);
  const auto header = ustar_header(name, bytes);
  put(header.data(), header.size());
  put(data, bytes);
  static const std::array<char, kBlock> zeros{};
  if (const std::size_t pad = (kBlock - bytes % kBlock) % kBlock) put(zeros.data(), pad);
}

std::string ShardTarWriter::add_row(const SourceList& list, std::size_t clip, std::size_t segment, bool segmented,
                                    const ExtractRow& row, DType dtype, std::size_t n_mels) {
  const std::string key = shard_key(clip, segment, segmented);
  const std::string meta = row_json(list, clip, segment, row);
  add_member(key + ".json", meta.data(), meta.size());
  const std::size_t shape[] = {n_mels, row.n_frames};
  const std::vector<std::byte> encoded = row.encoded.empty() ? encode_floats(row.features.data, dtype) : row.encoded;
  std::string npy = npy_header(dtype, shape);
  npy.append(reinterpret_cast<const char*>(encoded.data()), encoded.size());
  add_member(key + ".npy", npy.data(), npy.size());
  return file_ + "/" + key + ".npy";
}

std::pair<std::uintmax_t, std::string> ShardTarWriter::commit() {
  static const std::array<char, 2 * kBlock> end{};  // the end-of-archive marker
  put(end.data(), end.size());
  out_.commit();
  return {bytes_, sha_.hex_digest()};
}

std::string shard_journal_line(const ShardSummary& s) {
  return num(s.shard) + " " + num(s.first_clip) + " " + num(s.clips) + " " + num(s.rows) + " " + num(s.ok_rows) + " " +
         num(s.failed) + " " + num(static_cast<std::size_t>(s.bytes)) + " " + s.sha256 + "\n";
}

std::optional<ShardSummary> parse_shard_journal_line(const std::string& line) {
  std::istringstream in(line);
  ShardSummary s;
  std::string extra;
  if (!(in >> s.shard >> s.first_clip >> s.clips >> s.rows >> s.ok_rows >> s.failed >> s.bytes >> s.sha256) ||
      (in >> extra) || s.sha256.size() != 64 || s.ok_rows + s.failed != s.rows)
    return std::nullopt;
  return s;
}

std::map<std::string, std::pair<std::size_t, std::size_t>> tar_members(const char* data, std::size_t size,
                                                                       const fs::path& path) {
  std::map<std::string, std::pair<std::size_t, std::size_t>> members;
  const auto damaged = [&](const std::string& why) {
    return Error(ErrorCode::kInvalidData, "out_dir",
                 path.string() + ": " + why + "; the shard is damaged: run the extraction again to rewrite it");
  };
  for (std::size_t at = 0;;) {
    if (at + kBlock > size) throw damaged("ends inside a member header at byte " + num(at));
    const char* h = data + at;
    if (h[0] == '\0') break;  // the end-of-archive marker
    const std::string name(h, strnlen(h, 100));
    const std::uintmax_t bytes = parse_octal(h + 124, 12);
    if (bytes > size - at - kBlock) throw damaged(name + " is cut short");
    members[name] = {at + kBlock, static_cast<std::size_t>(bytes)};
    at += kBlock + (bytes + kBlock - 1) / kBlock * kBlock;
  }
  return members;
}

}  // namespace melnorm::detail
