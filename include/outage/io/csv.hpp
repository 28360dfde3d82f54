#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace outage {

// The longest field and the longest record a CSV file given to outage may hold, in bytes. A
// reader stops at the limit, so a 60 MB cell never sits in memory.
inline constexpr size_t max_csv_field_bytes = 64 * 1024;
inline constexpr size_t max_csv_record_bytes = 1024 * 1024;

// Reads RFC 4180 CSV one record at a time, so a million rows never sit in memory:
// comma-separated, fields optionally double-quoted with "" for a quote, quoted fields may
// span lines, CRLF or LF line ends, a UTF-8 BOM at the start ignored.
class CsvReader {
  public:
    // What a field may hold beyond the syntax.
    enum class Fields {
        // One line of text (model/text.hpp, TextKind::line): no control character (no tab, no
        // line break even inside quotes, no NUL), no bidi or zero-width character, valid
        // UTF-8, at most max_csv_field_bytes, and a record at most max_csv_record_bytes. The
        // first record is the header: messages name a field by its column.
        one_line_text,
        // Anything RFC 4180 allows (for reading back what csv_record wrote).
        any,
    };

    explicit CsvReader(std::istream& in, Fields fields = Fields::one_line_text);

    // Reads the next record into `fields`; false at the end. Throws Error(usage) as
    // "<line>: message" for a malformed record (an unterminated quote, a stray quote) and, with
    // Fields::one_line_text, as "<line>: column 'name': ..." for a field that breaks its rules,
    // as soon as it is read.
    bool next(std::vector<std::string>& fields);

    // The line the last record started on, 1-based.
    std::int64_t line() const { return m_record_line; }

  private:
    // Throws when `field` (the `index`th of the record) breaks the one_line_text rules.
    void check_field(const std::string& field, size_t index) const;
    // "column 'name'", or "column 3" in the header and past its end.
    std::string column(size_t index) const;

    std::istream& m_in;
    Fields m_fields;
    std::int64_t m_line = 1;
    std::int64_t m_record_line = 0;
    bool m_started = false;
    std::vector<std::string> m_header; // the first record, with one_line_text
    bool m_header_read = false;
};

// One CSV field as RFC 4180 writes it: quoted when it holds a comma, a double quote, CR or LF,
// with quotes doubled. A value starting with =, +, -, @, tab or CR first gets a single quote in
// front (OWASP's advice against CSV injection), so a spreadsheet shows it as text and never
// runs it as a formula.
std::string csv_field(std::string_view value);

// One record: the fields joined by commas and ended by CRLF.
std::string csv_record(const std::vector<std::string>& fields);

} // namespace outage
