#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace outage {

// A running process as another one can recognise it later: a pid alone is reused.
struct ProcessIdentity {
    std::string host;
    std::int64_t pid = 0;
    std::int64_t started = 0; // clock ticks after boot (field 22 of /proc/PID/stat)
};

// This process.
ProcessIdentity this_process();

// Whether the process `pid` of this host still runs and started at `started`: false when it
// is gone or its pid now belongs to a process started later.
bool process_running(std::int64_t pid, std::int64_t started);

} // namespace outage
