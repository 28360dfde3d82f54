#pragma once

#include "outage/services/notify.hpp"
#include "outage/services/recipient_source.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace outage {

// Everything one notify call needs, resolved and checked before anything is recorded or sent
// (docs/architecture.md#the-send-path-notify-in-parts).
struct NoticePlan {
    Incident incident;
    std::string runbook_id;
    std::optional<PlanEntry> entry; // the runbook's plan for the audience, when it has one
    std::string audience;
    std::string template_name;
    Template tmpl; // loaded once, in `lang` or its English fallback
    ChannelKind channel = ChannelKind::stdout_channel;
    std::string lang;
    nlohmann::json fields;            // the notice's fields, without any recipient's columns
    std::optional<Timestamp> promise; // the next update its `next_update` field promises
    RecipientSource recipients;
};

// Reads the incident and its runbook, loads the template and fills in the notice's fields for
// a message made at `now`.
// Throws Error (usage, not_found, invalid_content) for an unknown audience or channel, a
// withheld or missing value, or recipients that do not fit the channel; the checks that need
// every recipient are RecipientTally's. Reads the log and writes nothing.
NoticePlan plan_notice(Store& store, const NotifyEnvironment& env, const NotifyRequest& request,
                       Timestamp now, std::vector<std::string>& warnings);

// The language of a notice: `lang` (--lang), else the config's default. Throws Error(usage)
// for a --lang, Error(invalid_content) for a config lang, that no template is written in.
std::string notice_language(const TemplatePath& templates, const std::optional<std::string>& lang,
                            const Config& config);

// Only the fields an external audience may see: internal ones never reach its messages,
// whatever the template says.
nlohmann::json public_only(const nlohmann::json& fields);

// Counts the recipients of one walk for the plan's minimums.
class RecipientTally {
  public:
    explicit RecipientTally(const NoticePlan& plan);
    void add(const SourceRecipient& recipient);
    // Throws Error(usage) for no recipient on the email channel, fewer than the plan's
    // min-recipients, or an organisation with fewer than min-per-organisation; `count` is
    // what RecipientSource::each returned.
    void check(std::int64_t count) const;

  private:
    const NoticePlan& m_plan;
    bool m_by_organisation = false;
    std::map<std::string, std::int64_t> m_per_organisation;
};

// The identity of a notify call (docs/notify.md#notices-deliveries-and-resuming): the same
// call again is the same notice, and resumes it. Notices already in logs carry identities
// made by this function, so what goes in and how it is written never change. `csv_digest` is
// the plan's recipients' csv_digest() once walked; a plan with a CSV needs it.
std::string notice_identity(const NotifyRequest& request, const NoticePlan& plan,
                            const std::optional<std::string>& csv_digest);

} // namespace outage
