#pragma once

#include <stdexcept>
#include <string>

namespace outage {

// The exit codes of the command-line contract (docs/cli.md).
enum class Exit : int {
    ok = 0,
    runtime = 1,         // I/O, database, delivery
    usage = 2,           // bad option values, missing input
    not_found = 3,       // incident, scenario, template
    invalid_content = 4, // runbook or template content
    conflict = 5,        // e.g. updating a closed incident
    deliveries_failed = 6,
    overdue = 7,
};

// The one error type of outage: a message for the operator and the exit code it maps to.
class Error : public std::runtime_error {
  public:
    Error(Exit code, const std::string& message) : std::runtime_error(message), m_code(code) {}
    Exit code() const { return m_code; }

  private:
    Exit m_code;
};

} // namespace outage
