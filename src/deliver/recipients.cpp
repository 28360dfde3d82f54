#include "outage/deliver/recipients.hpp"

#include "outage/model/error.hpp"
#include "outage/model/text.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace outage {

bool is_valid_address(std::string_view address) {
    if (address.size() > 254)
        return false;
    auto at = address.rfind('@');
    if (at == std::string_view::npos || at == 0 || at + 1 == address.size())
        return false;
    std::string_view local = address.substr(0, at), domain = address.substr(at + 1);
    if (local.size() > 64 || local.front() == '.' || local.back() == '.' ||
        local.find("..") != std::string_view::npos)
        return false;
    constexpr std::string_view local_specials = "!#$%&'*+-/=?^_`{|}~.";
    for (unsigned char c : local)
        if (!std::isalnum(c) &&
            local_specials.find(static_cast<char>(c)) == std::string_view::npos && c < 0x80)
            return false;
    if (domain.find('.') == std::string_view::npos || domain.front() == '.' ||
        domain.back() == '.' || domain.find("..") != std::string_view::npos)
        return false;
    for (unsigned char c : domain)
        if (!std::isalnum(c) && c != '-' && c != '.' && c < 0x80)
            return false;
    return is_valid_utf8(address);
}

RecipientReader::RecipientReader(std::istream& in, std::string file)
    : m_csv(in), m_file(std::move(file)) {
    try {
        if (!m_csv.next(m_header))
            throw Error(Exit::usage, "1: the file is empty; it needs a header row with an email "
                                     "column");
    } catch (const Error& e) {
        throw Error(Exit::usage, fmt::format("{}:{}", m_file, e.what()));
    }
    for (auto& name : m_header) {
        name.erase(0, name.find_first_not_of(" \t"));
        name.erase(name.find_last_not_of(" \t") + 1);
    }
    auto email = std::find(m_header.begin(), m_header.end(), "email");
    if (email == m_header.end())
        throw Error(Exit::usage, fmt::format("{}:1: the header has no 'email' column", m_file));
    m_email_column = static_cast<size_t>(email - m_header.begin());
    for (size_t i = 0; i < m_header.size(); ++i)
        if (std::find(m_header.begin(), m_header.begin() + static_cast<long>(i), m_header[i]) !=
            m_header.begin() + static_cast<long>(i))
            throw Error(Exit::usage,
                        fmt::format("{}:1: column '{}' appears twice", m_file, m_header[i]));
}

std::optional<Recipient> RecipientReader::next() {
    while (true) {
        try {
            if (!m_csv.next(m_fields))
                return std::nullopt;
        } catch (const Error& e) {
            throw Error(Exit::usage, fmt::format("{}:{}", m_file, e.what()));
        }
        if (m_fields.size() == 1 && m_fields[0].empty())
            continue; // a blank line
        auto where = fmt::format("{}:{}", m_file, m_csv.line());
        if (m_fields.size() != m_header.size())
            throw Error(Exit::usage, fmt::format("{}: {} fields where the header has {}", where,
                                                 m_fields.size(), m_header.size()));
        Recipient recipient;
        recipient.address = m_fields[m_email_column];
        if (!is_valid_address(recipient.address))
            throw Error(Exit::usage,
                        fmt::format("{}: invalid e-mail address '{}'", where, recipient.address));
        for (size_t i = 0; i < m_header.size(); ++i) {
            if (i == m_email_column)
                continue;
            if (!is_valid_utf8(m_fields[i]))
                throw Error(Exit::usage,
                            fmt::format("{}: column '{}' is not valid UTF-8", where, m_header[i]));
            recipient.columns[m_header[i]] = m_fields[i];
        }
        if (auto lang = recipient.columns.find("lang"); lang != recipient.columns.end())
            recipient.lang = lang->second;
        if (auto org = recipient.columns.find("organisation"); org != recipient.columns.end())
            recipient.organisation = org->second;
        return recipient;
    }
}

} // namespace outage
