#pragma once

#include "outage/store/store.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace outage {

// Opens a file for reading; a file that cannot be read gives nullptr or a failed stream.
using FileOpener = std::function<std::unique_ptr<std::istream>(const std::filesystem::path&)>;

// Opens a file on disk in binary mode, so its digest is that of its bytes.
std::unique_ptr<std::istream> open_file_on_disk(const std::filesystem::path& file);

// One recipient of a notice as its source gives it.
struct SourceRecipient {
    std::string address; // an e-mail address or webhook name; empty for the unaddressed message
    std::string lang;    // empty: the notice's language
    nlohmann::json columns = nlohmann::json::object(); // recipient.<column> fields
    std::string organisation;                          // empty when not given
};

// The recipients of one notify call: those given with --to (or webhook names), an earlier
// notice's (--recipients-of) and a CSV file's (--recipients). One walk serves counting, dry
// runs and recording, so they cannot disagree (docs/architecture.md#the-send-path-notify-in-parts).
class RecipientSource {
  public:
    RecipientSource() = default;
    // `to` is checked and without repeats; `earlier_notice` is 0 for none.
    RecipientSource(std::vector<std::string> to, std::int64_t earlier_notice,
                    std::optional<std::filesystem::path> csv);

    // Calls `visit` for each recipient: the `to` list in order, then the earlier notice's, then
    // the CSV's rows, read once with their bytes digested on the way. With no recipient at
    // all it visits one unaddressed recipient (the message still goes once, to stdout or a
    // .txt file) without counting it. Returns how many recipients it visited. Throws
    // Error(usage) for a CSV that cannot be read, and as `file:line: message` at a bad row,
    // after visiting the rows before it.
    std::int64_t each(Store& store, const FileOpener& open,
                      const std::function<void(const SourceRecipient&)>& visit);

    const std::vector<std::string>& to() const { return m_to; }
    bool has_csv() const { return m_csv.has_value(); }
    // The lowercase hex SHA-256 of the CSV's bytes as the last walk read them; nothing without
    // a CSV or before a walk has read it to the end.
    const std::optional<std::string>& csv_digest() const { return m_csv_digest; }

  private:
    void each_earlier(Store& store, const std::function<void(const SourceRecipient&)>& visit,
                      std::int64_t& count) const;
    void each_row(const FileOpener& open, const std::function<void(const SourceRecipient&)>& visit,
                  std::int64_t& count);

    std::vector<std::string> m_to;
    std::int64_t m_earlier_notice = 0;
    std::optional<std::filesystem::path> m_csv;
    std::optional<std::string> m_csv_digest;
};

} // namespace outage
