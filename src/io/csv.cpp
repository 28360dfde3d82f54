#include "outage/io/csv.hpp"

#include "outage/model/error.hpp"
#include "outage/model/text.hpp"

#include <fmt/format.h>

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

CsvReader::CsvReader(std::istream& in, Fields fields) : m_in(in), m_fields(fields) {}

std::string CsvReader::column(size_t index) const {
    if (m_header_read && index < m_header.size())
        return fmt::format("column '{}'", escape_controls(m_header[index]));
    return fmt::format("column {}{}", index + 1, m_header_read ? "" : " of the header");
}

void CsvReader::check_field(const std::string& field, size_t index) const {
    if (auto refused = find_refused_character(field, TextKind::line))
        throw Error(Exit::usage,
                    fmt::format("{}: {}", m_record_line,
                                refusal_message(column(index), *refused, TextKind::line)));
}

bool CsvReader::next(std::vector<std::string>& fields) {
    fields.clear();
    int c = m_in.get();
    if (!m_started) {
        m_started = true;
        // A spreadsheet's UTF-8 byte order mark is not part of the first column's name.
        if (c == 0xef && m_in.peek() == 0xbb) {
            m_in.get();
            if (m_in.get() != 0xbf)
                throw Error(Exit::usage, "1: the file starts with a broken byte order mark");
            c = m_in.get();
        }
    }
    if (c == EOF)
        return false;
    m_record_line = m_line;
    const bool checked = m_fields == Fields::one_line_text;
    std::string field;
    size_t record_bytes = 0;
    // Ends a field; with checks, the limits are enforced byte by byte below, the characters
    // here, once the field is whole (it is at most max_csv_field_bytes).
    auto end_field = [&] {
        if (checked)
            check_field(field, fields.size());
        fields.push_back(std::move(field));
        field.clear();
    };
    auto add = [&](int byte) {
        field += static_cast<char>(byte);
        if (!checked)
            return;
        if (field.size() > max_csv_field_bytes)
            throw Error(Exit::usage,
                        fmt::format("{}: {} is longer than {} bytes, the most a cell may hold",
                                    m_record_line, column(fields.size()), max_csv_field_bytes));
        if (++record_bytes > max_csv_record_bytes)
            throw Error(Exit::usage,
                        fmt::format("{}: the row is longer than {} bytes, the most a row may hold",
                                    m_record_line, max_csv_record_bytes));
    };
    auto end_record = [&] {
        end_field();
        if (checked && !m_header_read) {
            m_header = fields;
            m_header_read = true;
        }
        return true;
    };
    bool quoted = false;
    while (true) {
        if (quoted) {
            if (c == EOF)
                throw Error(Exit::usage,
                            fmt::format("{}: a quoted field is not closed", m_record_line));
            if (c == '"') {
                if (m_in.peek() == '"') {
                    add('"');
                    m_in.get();
                } else {
                    quoted = false;
                    int after = m_in.peek();
                    if (after != ',' && after != '\n' && after != '\r' && after != EOF)
                        throw Error(Exit::usage,
                                    fmt::format("{}: text after a closing quote", m_line));
                }
            } else {
                if (c == '\n')
                    ++m_line;
                add(c);
            }
        } else if (c == '"' && field.empty()) {
            quoted = true;
        } else if (c == ',') {
            end_field();
        } else if (c == '\r' || c == '\n' || c == EOF) {
            if (c == '\r' && m_in.peek() == '\n')
                m_in.get();
            if (c != EOF)
                ++m_line;
            return end_record();
        } else if (c == '"') {
            throw Error(Exit::usage, fmt::format("{}: a quote inside an unquoted field", m_line));
        } else {
            add(c);
        }
        c = m_in.get();
    }
}

} // namespace outage
