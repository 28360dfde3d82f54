#include "outage/model/error.hpp"
#include "outage/store/schema.hpp"
#include "outage/store/error_translating_store.hpp"
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

} // namespace

std::unique_ptr<Store> open_store(const std::string& path, Access access) {
    if (path.empty())
        throw Error(Exit::usage, "the incident log path is empty: pass --db or set OUTAGE_DB");
    try {
        bool exists = fs::exists(path);
        if (exists && fs::is_directory(path))
            fail(path, "is a directory");
        if (access == Access::read_only || (access == Access::change_existing && !exists)) {
            if (exists) {
                auto db = connect(path, SQLite::OPEN_READONLY);
                int version = checked_schema_version(db, path.c_str());
                if (version == schema_version)
                    return translate_errors(std::make_unique<SqliteStore>(std::move(db)), path);
                if (version > 0)
                    fail(path, "was written by an older outage; run a command that writes "
                               "(such as `outage open`) to bring it up to date");
            }
            // Nothing logged yet: answer from an empty log rather than create a file.
            auto db = connect(":memory:", SQLite::OPEN_READWRITE);
            migrate(db, path.c_str());
            return translate_errors(std::make_unique<SqliteStore>(std::move(db)), path);
        }
        if (!exists) {
            create_private_directories(fs::path(path).parent_path(), path);
            create_private_file(path);
        }
        auto db = connect(path, SQLite::OPEN_READWRITE);
        migrate(db, path.c_str());
        return translate_errors(std::make_unique<SqliteStore>(std::move(db)), path);
    } catch (const SQLite::Exception& e) {
        throw log_error(path, e.getErrorCode(), e.what());
    } catch (const fs::filesystem_error& e) {
        fail(path, e.code().message());
    }
}

} // namespace outage
