#include "outage/services/recipient_source.hpp"

#include "outage/deliver/recipients.hpp"
#include "outage/io/digest.hpp"
#include "outage/io/trust.hpp"
#include "outage/model/error.hpp"
#include "outage/model/json_fields.hpp"
#include "outage/model/text.hpp"

#include <fmt/format.h>

#include <fstream>

namespace outage {
namespace {

// An earlier notice's deliveries are read a page at a time, so a bulk list never sits in
// memory.
constexpr int page_size = 500;

// A column of an earlier delivery's CSV row, read as the events are: a row edited by hand so
// that it is not text is an error naming the delivery.
std::string column_of(const DeliveryRecord& delivery, const char* column) {
    if (!delivery.columns.is_object())
        return "";
    return FieldReader(delivery.columns, "delivery", delivery.id).text(column).value_or("");
}

[[noreturn]] void unreadable(const std::filesystem::path& file) {
    throw Error(Exit::usage, fmt::format("--recipients {}: cannot read the file", file.string()));
}

} // namespace

std::unique_ptr<std::istream> open_file_on_disk(const std::filesystem::path& file) {
    // Whoever can change the list decides who hears what: the same rule as the templates.
    if (auto untrusted = untrusted_input(file))
        throw Error(Exit::invalid_content,
                    fmt::format("--recipients {}: {}", file.string(), *untrusted));
    return std::make_unique<std::ifstream>(file, std::ios::binary);
}

RecipientSource::RecipientSource(std::vector<std::string> to, std::int64_t earlier_notice,
                                 std::optional<std::filesystem::path> csv)
    : m_to(std::move(to)), m_earlier_notice(earlier_notice), m_csv(std::move(csv)) {}

std::int64_t RecipientSource::each(Store& store, const FileOpener& open,
                                   const std::function<void(const SourceRecipient&)>& visit) {
    std::int64_t count = 0;
    for (const auto& to : m_to) {
        SourceRecipient recipient;
        recipient.address = to;
        visit(recipient);
        ++count;
    }
    if (m_earlier_notice)
        each_earlier(store, visit, count);
    if (m_csv)
        each_row(open, visit, count);
    if (count == 0)
        visit(SourceRecipient{});
    return count;
}

void RecipientSource::each_earlier(Store& store,
                                   const std::function<void(const SourceRecipient&)>& visit,
                                   std::int64_t& count) const {
    std::int64_t after = 0;
    while (true) {
        auto page = store.deliveries(m_earlier_notice, after, page_size);
        if (page.empty())
            return;
        for (auto& delivery : page) {
            after = delivery.id;
            if (delivery.recipient.empty())
                continue;
            SourceRecipient recipient;
            recipient.organisation = column_of(delivery, "organisation");
            recipient.address = std::move(delivery.recipient);
            recipient.lang = std::move(delivery.lang);
            if (delivery.columns.is_object())
                recipient.columns = std::move(delivery.columns);
            visit(recipient);
            ++count;
        }
    }
}

void RecipientSource::each_row(const FileOpener& open,
                               const std::function<void(const SourceRecipient&)>& visit,
                               std::int64_t& count) {
    m_csv_digest.reset();
    auto file = open(*m_csv);
    if (!file || !*file)
        unreadable(*m_csv);
    DigestingStream in(*file);
    RecipientReader reader(in, m_csv->string());
    while (auto row = reader.next()) {
        // A language no template is written in falls back to English, as the notice's own
        // language would; one that is not a language code at all is a broken file.
        if (!row->lang.empty() && !is_language_code(row->lang))
            throw Error(Exit::usage,
                        fmt::format("--recipients {}: the lang of {} is '{}', not a language code "
                                    "such as en or pt-BR",
                                    m_csv->string(), row->address, row->lang));
        SourceRecipient recipient;
        recipient.address = std::move(row->address);
        recipient.lang = std::move(row->lang);
        recipient.organisation = std::move(row->organisation);
        recipient.columns = row->columns;
        visit(recipient);
        ++count;
    }
    std::string digest = in.finish();
    if (file->bad())
        unreadable(*m_csv);
    m_csv_digest = std::move(digest);
}

} // namespace outage
