#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace outage {

// One CSV field as RFC 4180 writes it: quoted when it holds a comma, a double quote, CR or LF,
// with quotes doubled. A value starting with =, +, -, @, tab or CR first gets a single quote in
// front (OWASP's advice against CSV injection), so a spreadsheet shows it as text and never
// runs it as a formula.
std::string csv_field(std::string_view value);

// One record: the fields joined by commas and ended by CRLF.
std::string csv_record(const std::vector<std::string>& fields);

} // namespace outage
