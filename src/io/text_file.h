// Whole text files melnorm parses (JSON records, the resume journal), read
// only after their size is checked against a stated limit: a file from
// anywhere must not make melnorm allocate what the limit does not allow.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

namespace melnorm::detail {

// The file's bytes. Throws Error(kIo, param) naming the path when it cannot be
// read, and Error(kInvalidData, param) when it is larger than max_bytes (both sizes said).
std::string read_text_file(const std::filesystem::path& path, std::size_t max_bytes, const char* param);

// Throws Error(kInvalidData, param) when a regular file is larger than max_bytes;
// for files read line by line (a pipe or a device is not checked).
void check_file_size(const std::filesystem::path& path, std::size_t max_bytes, const char* param);

}  // namespace melnorm::detail
