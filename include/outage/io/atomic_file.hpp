#pragma once

#include <filesystem>
#include <string_view>
#include <sys/types.h>

namespace outage {

// Writes `content` to `file` through a temporary file and a rename, so a reader (a web
// server, a resumed send, a cron job's next run) sees the old file or the new one, never half
// of either. The temporary file, ".<name>.tmp<pid>", lives in `temp_dir` (the file's own
// directory by default; it must be on the same file system). Throws Error(runtime) naming the
// file.
void write_file_atomically(const std::filesystem::path& file, std::string_view content,
                           mode_t mode);
void write_file_atomically(const std::filesystem::path& file, std::string_view content, mode_t mode,
                           const std::filesystem::path& temp_dir);

// Removes the temporary files in `dir` whose writer was killed before it could rename them
// (its process is gone); files of writers still running are left alone.
void remove_abandoned_temp_files(const std::filesystem::path& dir);

} // namespace outage
