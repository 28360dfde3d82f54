#include "outage/cli/context.hpp"

#include "outage/cli/environment.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace outage::cli {
namespace {

// A command used something its row of the command table does not give it: the table is wrong.
template <typename T> T& given_or_throw(T* value, const std::string& command, const char* what) {
    if (!value)
        throw std::logic_error(
            fmt::format("internal error: the command table gives '{}' no {}", command, what));
    return *value;
}

} // namespace

Store& Given::log() const {
    return given_or_throw(m_log, m_command, "log");
}

const std::string& Given::log_path() const {
    return given_or_throw(m_log_path ? &*m_log_path : nullptr, m_command, "log path");
}

Timestamp Given::now() const {
    if (!m_now)
        m_now = given_or_throw(m_clock ? &m_clock : nullptr, m_command, "clock")();
    return *m_now;
}

const Stamp& Given::stamp() const {
    if (!m_stamp)
        m_stamp = Stamp{given_or_throw(m_actor ? &*m_actor : nullptr, m_command, "actor"), now()};
    return *m_stamp;
}

const Config& Given::config() const {
    return given_or_throw(m_config ? &m_config : nullptr, m_command, "config")();
}

std::filesystem::path Given::outbox() const {
    return outbox_dir(config());
}

const RunbookPath& Given::runbooks() const {
    return given_or_throw(m_runbooks, m_command, "runbooks");
}

const TemplatePath& Given::templates() const {
    return given_or_throw(m_templates, m_command, "templates");
}

} // namespace outage::cli
