// Headers that nearly every file of outage includes, compiled once per library: nlohmann-json
// and fmt were a third of each file's compile time (docs/development.md#build-time).
#pragma once

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
