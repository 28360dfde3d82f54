#include "outage/io/process.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>
#include <unistd.h>

namespace outage {
namespace {

// Field 22 of /proc/PID/stat, read after the command name, which may hold spaces and
// parentheses: the last ')' ends it.
std::optional<std::int64_t> start_time(std::int64_t pid) {
    std::ifstream in(fmt::format("/proc/{}/stat", pid));
    if (!in)
        return std::nullopt;
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto end_of_name = stat.rfind(')');
    if (end_of_name == std::string::npos)
        return std::nullopt;
    std::istringstream fields(stat.substr(end_of_name + 1));
    std::string field;
    for (int number = 3; number <= 22; ++number) // fields 3 (state) to 22 (starttime)
        if (!(fields >> field))
            return std::nullopt;
    try {
        return std::stoll(field);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

} // namespace

ProcessIdentity this_process() {
    char host[256] = "";
    if (::gethostname(host, sizeof host - 1) != 0)
        host[0] = '\0';
    std::int64_t pid = ::getpid();
    return {.host = host, .pid = pid, .started = start_time(pid).value_or(0)};
}

bool process_running(std::int64_t pid, std::int64_t started) {
    auto actual = start_time(pid);
    return actual && *actual == started;
}

} // namespace outage
