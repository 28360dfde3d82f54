#pragma once

#include <string_view>

namespace SQLite {
class Database;
}

namespace outage {

// The newest schema this binary knows (PRAGMA user_version).
inline constexpr int schema_version = 5;

// The SQL that brings a log from `version - 1` to `version` (1..schema_version), as released:
// the tests compare its CHECK lists with the enums' name tables.
std::string_view migration_sql(int version);

// The database's schema version, 0 for an empty file. Throws Error(runtime) for a schema
// newer than this binary knows and for a SQLite file that is not an outage log.
int checked_schema_version(SQLite::Database& db, const char* path);

// Brings the database forward to schema_version, one migration per version, each in its own
// transaction. Never downgrades: a newer database is refused before anything is written.
void migrate(SQLite::Database& db, const char* path);

} // namespace outage
