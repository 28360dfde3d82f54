#pragma once

#include "outage/io/csv.hpp"

#include <cstdint>
#include <istream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace outage {

// One recipient of a bulk send: the address and the other columns of its row.
struct Recipient {
    std::string address;
    std::string lang;                           // the `lang` column, empty when absent
    std::string organisation;                   // the `organisation` column, empty when absent
    std::map<std::string, std::string> columns; // every column but email, by header name
};

// True for a plain address local@domain.tld that is safe in a header: no spaces, no
// control characters, no angle brackets or commas.
bool is_valid_address(std::string_view address);

// Streams a recipients CSV: a header row with an `email` column, then one row per recipient.
class RecipientReader {
  public:
    // Reads and checks the header. Throws Error(usage) naming `file` when there is no
    // `email` column or a column name is repeated.
    RecipientReader(std::istream& in, std::string file);

    // The next recipient; nothing at the end. Throws Error(usage) as `file:line: message` for
    // a malformed row, one with the wrong number of fields, or an invalid address.
    std::optional<Recipient> next();

  private:
    CsvReader m_csv;
    std::string m_file;
    std::vector<std::string> m_header;
    size_t m_email_column = 0;
    std::vector<std::string> m_fields;
};

} // namespace outage
