#pragma once

#include <string>
#include <string_view>

namespace outage {

// Lowercase hex SHA-256 of `data` (nettle).
std::string sha256_hex(std::string_view data);

// Lowercase hex SHA-256 of a file's bytes, read in chunks. Throws Error(usage) when the file
// cannot be read.
std::string sha256_file(const std::string& path);

// Standard base64 of `data`, without line breaks.
std::string base64(std::string_view data);

} // namespace outage
