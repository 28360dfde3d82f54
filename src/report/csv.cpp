#include "outage/report/csv.hpp"

namespace outage {
namespace {

// A spreadsheet reads a cell starting with one of these as a formula (or, for tab and CR,
// strips them and then reads one).
bool looks_like_formula(std::string_view value) {
    if (value.empty())
        return false;
    switch (value.front()) {
    case '=':
    case '+':
    case '-':
    case '@':
    case '\t':
    case '\r':
        return true;
    default:
        return false;
    }
}

} // namespace

std::string csv_field(std::string_view value) {
    std::string text;
    if (looks_like_formula(value))
        text += '\'';
    text += value;
    if (text.find_first_of(",\"\r\n") == std::string::npos)
        return text;
    std::string quoted = "\"";
    for (char c : text) {
        if (c == '"')
            quoted += '"';
        quoted += c;
    }
    quoted += '"';
    return quoted;
}

std::string csv_record(const std::vector<std::string>& fields) {
    std::string line;
    for (size_t i = 0; i < fields.size(); ++i) {
        if (i > 0)
            line += ',';
        line += csv_field(fields[i]);
    }
    line += "\r\n";
    return line;
}

} // namespace outage
