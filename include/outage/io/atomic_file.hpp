#pragma once

#include <filesystem>
#include <string_view>
#include <sys/types.h>

namespace outage {

// Whether a write must reach the disk before it returns.
enum class Sync {
    durable, // fsync the file before the rename and its folder after: a power cut leaves the
             // old file or the whole new one
    none,    // no fsync: for what can be made again (the parsed-runbook cache)
};

// Writes `content` to `file` through a temporary file and a rename, so a reader (a web
// server, a resumed send, a cron job's next run) sees the old file or the new one, never half
// of either. The temporary file is made by write_temp_file in `temp_dir` (the file's own
// folder when empty; it must be on the same file system) and renamed over `file`. A symlink
// at `file` is replaced by the new file, never followed. `mode` is the file's mode whatever
// the umask. Throws Error(runtime) naming the file; no temporary file is left behind.
void write_file_atomically(const std::filesystem::path& file, std::string_view content, mode_t mode,
                           const std::filesystem::path& temp_dir = {}, Sync sync = Sync::durable);

// The first half of write_file_atomically, for a caller that renames many files and syncs
// their folder once: creates a new file in `temp_dir` named ".<target's name>.<pid>.<random
// hex>.tmp" with O_CREAT|O_EXCL|O_NOFOLLOW (nothing planted at a guessed name is followed or
// reused), sets `mode` with fchmod whatever the umask, writes `content` and, when `sync` is
// durable, fsyncs it. Returns its path. Throws Error(runtime) naming the target, removing the file.
std::filesystem::path write_temp_file(const std::filesystem::path& target, std::string_view content,
                                      mode_t mode, const std::filesystem::path& temp_dir,
                                      Sync sync);

// Renames a file from write_temp_file over `target` (a symlink there is replaced, not
// followed). Throws Error(runtime) naming the target, removing `temp`.
void rename_into_place(const std::filesystem::path& temp, const std::filesystem::path& target);

// fsyncs the folder itself (open O_DIRECTORY), so the names renamed or created in it survive
// a power cut. Throws Error(runtime) naming the folder.
void sync_folder(const std::filesystem::path& folder);

// Flushes everything written on the file system that holds `path` (syncfs): one call for a
// batch of temporary files instead of an fsync each. Throws Error(runtime) naming the path.
void sync_file_system(const std::filesystem::path& path);

// Removes the temporary files in `dir` whose writer was killed before it could rename them
// (its process is gone); files of writers still running are left alone. Knows the names
// write_temp_file makes and those of earlier versions (".<name>.tmp<pid>").
void remove_abandoned_temp_files(const std::filesystem::path& dir);

} // namespace outage
