#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace outage {

// Reads RFC 4180 CSV one record at a time, so a million rows never sit in memory:
// comma-separated, fields optionally double-quoted with "" for a quote, quoted fields may
// span lines, CRLF or LF line ends, a UTF-8 BOM at the start ignored.
class CsvReader {
  public:
    explicit CsvReader(std::istream& in);

    // Reads the next record into `fields`; false at the end. Throws Error(usage) as
    // "<line>: message" for a malformed record (an unterminated quote, a stray quote).
    bool next(std::vector<std::string>& fields);

    // The line the last record started on, 1-based.
    std::int64_t line() const { return m_record_line; }

  private:
    std::istream& m_in;
    std::int64_t m_line = 1;
    std::int64_t m_record_line = 0;
    bool m_started = false;
};

// One CSV field as RFC 4180 writes it: quoted when it holds a comma, a double quote, CR or LF,
// with quotes doubled. A value starting with =, +, -, @, tab or CR first gets a single quote in
// front (OWASP's advice against CSV injection), so a spreadsheet shows it as text and never
// runs it as a formula.
std::string csv_field(std::string_view value);

// One record: the fields joined by commas and ended by CRLF.
std::string csv_record(const std::vector<std::string>& fields);

} // namespace outage
