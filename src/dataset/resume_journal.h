// The resume journal of an OUTDIR (.progress): one line per completed source.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>

#include "dataset/output_format.h"

namespace melnorm::detail {

inline constexpr const char* kProgressFile = ".progress";

// Where an interrupted run stopped: the last complete line of OUTDIR/.progress,
// "next_source manifest_bytes sink_bytes rows ok failed", checked against the
// files it speaks of (a journal from elsewhere must not make resume extend a
// file with zeros or skip sources the input no longer has).
struct ResumePoint {
  std::size_t next_source = 0, rows = 0, ok_rows = 0, failed = 0;
  std::uintmax_t manifest_bytes = 0, sink_bytes = 0, progress_bytes = 0;  // sink: the output format's appended file
};

// The last complete journal line of OUTDIR/.progress. Throws
// Error(kInvalidData) when it contradicts the input or the files.
ResumePoint read_resume_point(const std::filesystem::path& out_dir, std::size_t n_sources, const OutputFormat& format);

}  // namespace melnorm::detail
