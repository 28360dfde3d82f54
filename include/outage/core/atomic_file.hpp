#pragma once

#include <filesystem>
#include <string_view>
#include <sys/types.h>

namespace outage {

// Writes `content` to `file` through a temporary file in the same directory and a rename, so
// a reader (a web server, a resumed send, a cron job's next run) sees the old file or the new
// one, never half of either. Throws Error(runtime) naming the file.
void write_file_atomically(const std::filesystem::path& file, std::string_view content,
                           mode_t mode);

} // namespace outage
