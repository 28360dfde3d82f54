#pragma once

#include "outage/model/error.hpp"
#include "outage/store/store.hpp"

#include <memory>
#include <string>

namespace outage {

// Error(runtime) "incident log PATH: message", with a hint when SQLite's code says the disk
// is full or a write was cut short.
Error log_error(const std::string& path, int sqlite_code, const std::string& message);

// Wraps a store so that a database library's exception leaves it as log_error's Error, and
// every other exception (a visitor's own Error) unchanged.
std::unique_ptr<Store> translate_errors(std::unique_ptr<Store> store, std::string path);

} // namespace outage
