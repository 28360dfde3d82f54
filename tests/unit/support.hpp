#pragma once

#include "outage/deliver/recipients.hpp"
#include "outage/model/error.hpp"

#include <filesystem>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

// A fresh directory for one test, removed with everything in it when the test ends.
struct TempDir {
    std::filesystem::path path;

    TempDir() {
        std::random_device random;
        path = std::filesystem::temp_directory_path() /
               ("outage-test-" + std::to_string(random()) + std::to_string(random()));
        std::filesystem::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    std::string file(const std::string& name) const { return (path / name).string(); }
};

// Runs `action` and returns the exit code of the outage::Error it throws (ok when none),
// keeping the message for exact checks.
inline outage::Exit exit_of(const std::function<void()>& action, std::string& message) {
    try {
        action();
    } catch (const outage::Error& e) {
        message = e.what();
        return e.code();
    }
    return outage::Exit::ok;
}

// Every record of an RFC 4180 text, read with the recipients' CSV reader (by default checking
// only the syntax, as for reading back an export).
inline std::vector<std::vector<std::string>>
read_csv(const std::string& text,
         outage::CsvReader::Fields checks = outage::CsvReader::Fields::any) {
    std::istringstream in(text);
    outage::CsvReader reader(in, checks);
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> fields;
    while (reader.next(fields))
        rows.push_back(fields);
    return rows;
}
