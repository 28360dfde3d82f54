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

// A path with no log is a mistake (a typo, another HOME) until `outage init` says otherwise:
// an empty answer would report all-clear forever.
[[noreturn]] void no_log(const std::string& path, std::string_view detail) {
    throw Error(Exit::not_found, fmt::format("no incident log at {}{}: create one with `outage "
                                             "init`, or give the right path with --db or OUTAGE_DB",
                                             path, detail));
}

// Whether a file is at `path`: no for nothing, a directory is refused.
bool log_file_exists(const std::string& path) {
    if (path.empty())
        throw Error(Exit::usage, "the incident log path is empty: pass --db or set OUTAGE_DB");
    bool exists = fs::exists(path);
    if (exists && fs::is_directory(path))
        fail(path, "is a directory");
    return exists;
}

// Makes the file and its directories owner-only when missing and brings the schema up to date.
SQLite::Database create_or_migrate(const std::string& path, bool exists) {
    if (!exists) {
        create_private_directories(fs::path(path).parent_path(), path);
        create_private_file(path);
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
            auto db = connect(path, SQLite::OPEN_READONLY);
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
            auto db = connect(path, SQLite::OPEN_READONLY);
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
