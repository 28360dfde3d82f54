#pragma once

#include "outage/config/config.hpp"
#include "outage/deliver/channel.hpp"
#include "outage/model/incident.hpp"
#include "outage/render/render.hpp"
#include "outage/render/template.hpp"
#include "outage/runbook/catalog.hpp"
#include "outage/services/recipient_source.hpp"
#include "outage/store/store.hpp"

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace outage {

struct NotifyRequest {
    IncidentId id = 0;
    std::string audience;
    std::optional<std::string> template_name; // default: the plan's
    std::optional<std::string> channel;       // default: the plan's
    std::vector<std::string> to;
    std::optional<std::filesystem::path> recipients_csv;
    std::optional<std::int64_t> recipients_of; // an earlier notice of the incident: its recipients
    std::optional<std::string> lang;
    std::optional<std::string> note;
    std::optional<std::string> workaround;
    std::optional<std::string> supplier;
    std::optional<std::string> internal_note;
    std::optional<Timestamp> eta;
    bool dry_run = false;
    bool force = false;
    bool again = false; // send a completed call again at once (docs/notify.md#repeats)
};

// How soon after the same call completed a repeat is taken for an accident and refused,
// unless asked for with `again`.
inline constexpr std::chrono::minutes repeat_guard{2};

// What notify needs besides the log.
struct NotifyEnvironment {
    RunbookPath runbooks;
    TemplatePath templates;
    Config config;
    std::filesystem::path outbox;
    std::ostream& out; // the stdout channel and dry runs write here
};

// Builds the channel of a kind. Throws Error(runtime) when the config lacks what it needs.
using ChannelFactory = std::function<std::unique_ptr<Channel>(ChannelKind)>;

// What notify reaches besides the log, passed in so that tests can substitute a fake channel
// and count file reads (docs/architecture.md#the-send-path-notify-in-parts).
struct NotifyIo {
    ChannelFactory channel;
    FileOpener open_file; // the --recipients file
};

// The real ones: make_channel with `env`'s config, outbox and output stream, and files on
// disk. Keeps a reference to `env`, which must outlive it.
NotifyIo system_io(const NotifyEnvironment& env);

// Called after each delivery with how many of the notice's unsent ones are done.
using Progress = std::function<void(std::int64_t done, std::int64_t total)>;

struct NotifyResult {
    std::int64_t notice_id = 0;         // 0 for a dry run
    bool resumed = false;               // the same call was made before: only unsent messages went
    DeliveryCounts counts;              // after this run
    std::int64_t attempted = 0;         // messages tried in this run
    std::optional<std::string> stopped; // why the send stopped with messages left to try
    std::vector<std::string> warnings;
};

// Which failed deliveries a send tries again (docs/notify.md#failures).
struct SendOptions {
    bool retry_now = true;      // those failed for a passing reason, without waiting
    bool permanent_too = false; // those the server refused
};

// Renders the audience's template with the incident's facts and sends it: the notice and
// every delivery are recorded as pending first, then marked sent or failed. The same call
// again resumes the same notice. Throws Error(usage) for too few recipients, a malformed
// recipients CSV or a missing required field, and Error(runtime) for a channel the config
// cannot build, leaving the log as it was. A dry run renders every message to the stdout
// channel and records nothing.
NotifyResult notify(Store& store, const NotifyEnvironment& env, const NotifyRequest& request,
                    const Stamp& stamp, const Progress& progress, const NotifyIo& io);
// The same through system_io(env).
NotifyResult notify(Store& store, const NotifyEnvironment& env, const NotifyRequest& request,
                    const Stamp& stamp, const Progress& progress);

// Sends what is still pending or failed of one notice (`notify --resume`). Throws
// Error(not_found) when there is no such notice.
NotifyResult resume_notice(Store& store, const NotifyEnvironment& env, std::int64_t notice_id,
                           const Stamp& stamp, const Progress& progress, const SendOptions& options,
                           const NotifyIo& io);
// The same through system_io(env).
NotifyResult resume_notice(Store& store, const NotifyEnvironment& env, std::int64_t notice_id,
                           const Stamp& stamp, const Progress& progress,
                           const SendOptions& options = {});

// Renders `request.template_name` in `request.lang` for the incident with the request's
// values, sending and recording nothing (`template render`); external templates get public
// fields only, as a real send would.
Message render_preview(Store& store, const NotifyEnvironment& env, const NotifyRequest& request,
                       Timestamp now, std::vector<std::string>& warnings);

// The field values of an incident for templates (docs/templates.md), before any recipient's
// columns, for a message made at `now`; `request` supplies the per-message ones, and the ETA
// and workaround told before stand where it gives none.
nlohmann::json notice_fields(Store& store, const Incident& incident, const Runbook& runbook,
                             const SeverityScale& scale, const Config& config,
                             const NotifyRequest& request, Timestamp now);

// When a message made at `now` promises the next update: an update interval later, while the
// incident is open and assessed; nothing otherwise (docs/architecture.md#update-clocks).
std::optional<Timestamp> next_update_promise(const Incident& incident, Timestamp now);

} // namespace outage
