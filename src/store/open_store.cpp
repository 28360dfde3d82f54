#include "outage/model/error.hpp"
#include "outage/store/error_translating_store.hpp"
#include "outage/store/schema.hpp"
#include "outage/store/sqlite_store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

namespace outage {
namespace {

namespace fs = std::filesystem;

// How long a writer waits for another writer before giving up. Commands hold the lock for
// milliseconds; the margin covers a slow disk and a crowd of cron jobs.
constexpr int busy_timeout_ms = 30'000;

[[noreturn]] void fail(const std::string& path, const std::string& why) {
    throw Error(Exit::runtime, fmt::format("incident log {}: {}", path, why));
}

// Creates each missing directory of the path owner-only; existing ones are left as they are.
void create_private_directories(const fs::path& dir, const std::string& db_path) {
    if (dir.empty() || fs::exists(dir))
        return;
    create_private_directories(dir.parent_path(), db_path);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        fail(db_path,
             fmt::format("cannot create directory {}: {}", dir.string(), std::strerror(errno)));
}

// Creates the file owner-only before SQLite opens it; SQLite gives its -wal and -shm files
// the same mode.
void create_private_file(const std::string& path) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            return;
        fail(path, std::strerror(errno));
    }
    ::close(fd);
}

SQLite::Database connect(const std::string& path, int flags) {
    // One thread uses a connection: SQLite's per-call mutex is pure cost (5% of a large
    // `list --json`).
    SQLite::Database db(path, flags | SQLite::OPEN_NOMUTEX, busy_timeout_ms);
    db.exec("PRAGMA foreign_keys = ON");
    return db;
}

// Whether this process may write `path` (its effective uid; a read-only mount says no).
bool may_write(const fs::path& path) {
    return ::faccessat(AT_FDCWD, path.empty() ? "." : path.c_str(), W_OK, AT_EACCESS) == 0;
}

fs::path folder_of(const std::string& path) {
    fs::path folder = fs::path(path).parent_path();
    return folder.empty() ? fs::path(".") : folder;
}

// A file URI for `path`, with the characters a URI gives a meaning escaped.
std::string file_uri(const std::string& path) {
    std::string absolute = fs::absolute(path).string();
    std::string uri = "file:";
    for (unsigned char c : absolute) {
        if (c == '%' || c == '?' || c == '#' || c < 0x20 || c == 0x7f)
            uri += fmt::format("%{:02X}", c);
        else
            uri += static_cast<char>(c);
    }
    return uri;
}

// Opens the log for reading. In WAL mode even a reader needs the -shm file, which it cannot
// make in a folder it may not write (read-only media, a log on a mount of backups, a folder
// of someone else's): SQLite then fails ("attempt to write a readonly database", "unable to
// open database file"). When, besides, there
// is no -shm file and no -wal file with anything in it, every commit is in the file itself
// and no one has the log open, so SQLite may read it as immutable, without locks or shared
// memory. An existing -shm file serves the ordinary open (SQLite reads it even when it
// cannot write it); a -wal file with commits the file lacks is read by the ordinary open,
// or it says why it cannot.
SQLite::Database connect_read_only(const std::string& path) {
    std::error_code ec;
    bool shared_memory = fs::exists(path + "-shm", ec);
    auto wal_size = fs::file_size(path + "-wal", ec);
    bool wal_commits = !ec && wal_size > 0;
    if (may_write(folder_of(path)) || shared_memory || wal_commits)
        return connect(path, SQLite::OPEN_READONLY);
    return connect(file_uri(path) + "?immutable=1", SQLite::OPEN_READONLY | SQLite::OPEN_URI);
}

// Refuses, in one line naming the path, a log this process cannot write, before SQLite opens
// it and fails halfway with "attempt to write a readonly database" or "unable to open".
void refuse_unwritable(const std::string& path) {
    constexpr std::string_view readers =
        "commands that only read it (list, show, verify, export, report, due, stats) still work";
    if (!may_write(path))
        fail(path, fmt::format("cannot write the file ({}); {}", std::strerror(errno), readers));
    fs::path folder = folder_of(path);
    if (!may_write(folder))
        fail(path, fmt::format("cannot write its folder {} ({}), where SQLite keeps the log's "
                               "-wal and -shm files while it writes; {}",
                               folder.string(), std::strerror(errno), readers));
}

// A path with no log is a mistake (a typo, another HOME) until `outage init` says otherwise:
// an empty answer would report all-clear forever.
[[noreturn]] void no_log(const std::string& path, std::string_view detail) {
    throw Error(Exit::not_found, fmt::format("no incident log at {}{}: create one with `outage "
                                             "init`, or give the right path with --db or OUTAGE_DB",
                                             path, detail));
}

// Whether a file is at `path`: no for nothing. Anything but a file (a folder, a FIFO, a
// device, a socket) is refused before SQLite opens it: a FIFO would block the open until
// someone writes to it, that is, forever.
bool log_file_exists(const std::string& path) {
    if (path.empty())
        throw Error(Exit::usage, "the incident log path is empty: pass --db or set OUTAGE_DB");
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return false;
        fail(path, std::strerror(errno));
    }
    if (S_ISREG(info.st_mode))
        return true;
    std::string_view what = S_ISDIR(info.st_mode)                            ? "a directory"
                            : S_ISFIFO(info.st_mode)                         ? "a FIFO (named pipe)"
                            : S_ISCHR(info.st_mode) || S_ISBLK(info.st_mode) ? "a device"
                            : S_ISSOCK(info.st_mode)                         ? "a socket"
                                                                             : "a special file";
    fail(path, fmt::format("is {}, not an incident log file", what));
}

// Makes the file and its directories owner-only when missing and brings the schema up to date.
SQLite::Database create_or_migrate(const std::string& path, bool exists) {
    if (!exists) {
        create_private_directories(fs::path(path).parent_path(), path);
        create_private_file(path);
    } else {
        refuse_unwritable(path);
    }
    auto db = connect(path, SQLite::OPEN_READWRITE);
    migrate(db, path.c_str());
    return db;
}

} // namespace

std::unique_ptr<Store> open_store(const std::string& path, Access access) {
    try {
        bool exists = log_file_exists(path);
        if (!exists && access != Access::create)
            no_log(path, "");
        if (access == Access::read_only) {
            auto db = connect_read_only(path);
            int version = checked_schema_version(db, path.c_str());
            if (version == schema_version)
                return translate_errors(std::make_unique<SqliteStore>(std::move(db)), path);
            if (version > 0)
                fail(path, "was written by an older outage; run a command that writes "
                           "(such as `outage open`) to bring it up to date");
            no_log(path, " (the file is empty)");
        }
        return translate_errors(std::make_unique<SqliteStore>(create_or_migrate(path, exists)),
                                path);
    } catch (const SQLite::Exception& e) {
        throw log_error(path, e.getErrorCode(), e.what());
    } catch (const fs::filesystem_error& e) {
        fail(path, e.code().message());
    }
}

LogInit init_log(const std::string& path) {
    try {
        bool exists = log_file_exists(path);
        if (exists) {
            auto db = connect_read_only(path);
            int version = checked_schema_version(db, path.c_str());
            if (version > 0)
                return {.created = false, .up_to_date = version == schema_version};
        }
        // Nothing there, or an empty file: make it a log.
        create_or_migrate(path, exists);
        return {.created = true, .up_to_date = true};
    } catch (const SQLite::Exception& e) {
        throw log_error(path, e.getErrorCode(), e.what());
    } catch (const fs::filesystem_error& e) {
        fail(path, e.code().message());
    }
}

} // namespace outage
