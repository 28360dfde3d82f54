#include "outage/runbook/catalog.hpp"
#include "outage/services/all_clear.hpp"
#include "outage/services/assessment.hpp"
#include "outage/services/lifecycle.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

using namespace outage;
using namespace std::chrono;

namespace {

const std::string data = OUTAGE_TEST_DATA;
const Timestamp t0 = *parse_iso_utc("2026-11-22T10:00:00Z");

PlanEntry entry(const std::string& audience, const std::string& template_name,
                const std::string& channel, const std::string& min_severity = "SEV4") {
    PlanEntry result;
    result.audience = audience;
    result.template_name = template_name;
    result.channel = channel;
    result.min_severity = min_severity;
    return result;
}

struct Fixture {
    TempDir dir;
    std::unique_ptr<Store> store = open_store(dir.file("incidents.db"), Access::create);
    RunbookPath path = runbook_path(data + "/runbooks/good");
    Runbook runbook = load_runbook(path, "lab-flood");
    SeverityScale scale = load_severity_scale(path);
    IncidentId id = 0;

    Fixture() {
        // lab-flood's plan: frontline, customers (SEV2), vendor; add a status page and staff.
        runbook.communications.push_back(entry("status-page", "status-page-notice", "file"));
        runbook.communications.push_back(entry("staff", "staff-alert", "email", "SEV3"));
        OpenRequest open;
        open.scenario = "lab-flood";
        open.title = "Water";
        id = open_incident(*store, plan_open(path, open), {"alice", t0}).incident.id;
        assess(12); // SEV2
    }

    void assess(int people) {
        Answers answers{{"scope", "room"},
                        {"samples_at_risk", "no"},
                        {"people", people},
                        {"realtime", "no"},
                        {"reporter", "Ann"}};
        assess_incident(*store, runbook, scale, id, answers, {"alice", t0});
    }

    // A notice as notify records it, to these recipients (none: one delivery without one).
    std::int64_t notice(const std::string& audience, const std::string& template_name,
                        const std::string& channel, std::vector<std::string> recipients) {
        return write_transaction(*store, [&] {
            NoticeRecord record;
            record.incident_id = id;
            record.identity = fmt::format("{}-{}", audience, store->count_notices(id, audience));
            record.audience = audience;
            record.template_name = template_name;
            record.channel = channel;
            record.created_at = t0;
            record.actor = "alice";
            std::int64_t notice_id = store->insert_notice(record);
            if (recipients.empty())
                recipients.emplace_back();
            for (const auto& recipient : recipients) {
                DeliveryRecord delivery;
                delivery.notice_id = notice_id;
                delivery.recipient = recipient;
                delivery.lang = "en";
                store->insert_delivery(delivery, t0);
            }
            return notice_id;
        });
    }

    Incident close(const std::string& resolution = "Pumped out") {
        return close_incident(*store, id, {resolution, {}, {}, {}}, {"alice", t0 + hours{2}});
    }

    std::vector<std::string> audiences(const std::vector<AllClear>& clears) {
        std::vector<std::string> result;
        for (const auto& clear : clears)
            result.push_back(clear.audience);
        return result;
    }
};

} // namespace

TEST_CASE("all_clear::nobody told, nobody to tell") {
    Fixture f;
    CHECK(plan_all_clears(*f.store, &f.runbook, f.close()).empty());
}

TEST_CASE("all_clear::every audience told hears it is over") {
    Fixture f;
    f.notice("customers", "customer-first-notice", "email", {"a@x.example", "b@x.example"});
    std::int64_t frontline = f.notice("frontline", "frontline-briefing", "email", {"h@x.example"});
    f.notice("vendor", "vendor-inquiry", "email", {"s@supplier.example"});
    std::int64_t page = f.notice("status-page", "status-page-notice", "file", {});
    f.notice("partners", "customer-update", "webhook", {"chat"});
    std::int64_t customers =
        f.notice("customers", "customer-update", "email", {"a@x.example", "b@x.example", "c@x"});

    auto clears = plan_all_clears(*f.store, &f.runbook, f.close());
    // Plan order first, then audiences outside the plan; the supplier was only asked.
    REQUIRE(f.audiences(clears) ==
            std::vector<std::string>{"frontline", "customers", "status-page", "partners"});

    const AllClear& internal = clears[0];
    CHECK(internal.template_name == "frontline-briefing");
    CHECK_FALSE(internal.template_differs);
    CHECK_FALSE(internal.outside_plan);
    CHECK(internal.channel == "email");
    CHECK(internal.last_notice == frontline);
    CHECK(internal.recipients_of == frontline);
    CHECK(internal.recipients == 1);
    CHECK(internal.note == "Resolved: Pumped out");
    CHECK_FALSE(internal.force);
    CHECK(internal.blocked.empty());

    // Customers get their own all-clear, to the recipients of the last notice, without the
    // internal resolution.
    const AllClear& public_one = clears[1];
    CHECK(public_one.template_name == "customer-all-clear");
    CHECK(public_one.template_differs);
    CHECK(public_one.recipients_of == customers);
    CHECK(public_one.recipients == 3);
    CHECK_FALSE(public_one.note);

    const AllClear& status = clears[2];
    CHECK(status.template_name == "status-page-notice");
    CHECK_FALSE(status.template_differs);
    CHECK(status.last_notice == page);
    CHECK_FALSE(status.recipients_of); // it had no recipients: the file channel writes one file
    CHECK(status.blocked.empty());
    CHECK_FALSE(status.note);
    CHECK(status.switch_back == "the status page");
    CHECK(internal.switch_back.empty());
    CHECK(public_one.switch_back.empty());

    const AllClear& outside = clears[3];
    CHECK(outside.outside_plan);
    CHECK(outside.template_differs);
    CHECK(outside.template_name == "customer-update");
    CHECK(outside.channel == "webhook");
    CHECK(outside.recipients_of);

    NotifyRequest request = all_clear_request(f.id, public_one);
    CHECK(request.id == f.id);
    CHECK(request.audience == "customers");
    CHECK(request.template_name == "customer-all-clear");
    CHECK_FALSE(request.channel);
    CHECK(request.recipients_of == customers);
    CHECK_FALSE(request.note);
    request = all_clear_request(f.id, internal);
    CHECK_FALSE(request.template_name);
    CHECK(request.note == "Resolved: Pumped out");
    request = all_clear_request(f.id, outside);
    CHECK(request.template_name == "customer-update");
    CHECK(request.channel == "webhook");
}

TEST_CASE("all_clear::what the incident put up is switched back with its own template") {
    Fixture f;
    f.notice("auto-reply", "auto-reply", "file", {});
    f.notice("phone", "ivr-message", "stdout", {});
    f.notice("customers", "customer-first-notice", "email", {"a@x.example", "b@x.example"});
    // In the plan and customer-facing, an auto-reply is still replaced by an auto-reply.
    PlanEntry planned = entry("mail-robot", "auto-reply", "file");
    planned.customer_facing = true;
    f.runbook.communications.push_back(planned);
    f.notice("mail-robot", "auto-reply", "file", {});

    auto clears = plan_all_clears(*f.store, &f.runbook, f.close());
    REQUIRE(f.audiences(clears) ==
            std::vector<std::string>{"customers", "mail-robot", "auto-reply", "phone"});
    CHECK(clears[0].switch_back.empty());
    CHECK(clears[1].switch_back == "the automatic reply to incoming e-mail");
    CHECK(clears[1].template_name == "auto-reply");
    CHECK_FALSE(clears[1].template_differs);
    CHECK(clears[2].switch_back == "the automatic reply to incoming e-mail");
    CHECK(clears[2].template_name == "auto-reply");
    CHECK(clears[2].outside_plan);
    CHECK(clears[3].switch_back == "the phone line's recorded message");
    CHECK(clears[3].template_name == "ivr-message");
    CHECK(clears[3].channel == "stdout");
    for (const auto& clear : clears)
        CHECK_FALSE(clear.note); // public messages never carry the internal resolution
    NotifyRequest request = all_clear_request(f.id, clears[3]);
    CHECK(request.template_name == "ivr-message");
    CHECK(request.channel == "stdout");
}

TEST_CASE("all_clear::recipients that cannot be reused") {
    Fixture f;
    SECTION("e-mail with nobody to write to") {
        std::int64_t staff = f.notice("staff", "staff-alert", "stdout", {});
        auto clears = plan_all_clears(*f.store, &f.runbook, f.close());
        REQUIRE(clears.size() == 1);
        CHECK_FALSE(clears[0].recipients_of);
        CHECK(clears[0].blocked == fmt::format("notice {} went by stdout to no one in particular, "
                                               "so there are no e-mail addresses to reuse",
                                               staff));
    }
    SECTION("webhook names are not addresses") {
        std::int64_t staff = f.notice("staff", "staff-alert", "webhook", {"chat"});
        auto clears = plan_all_clears(*f.store, &f.runbook, f.close());
        REQUIRE(clears.size() == 1);
        CHECK(clears[0].blocked ==
              fmt::format("notice {} went to webhooks, not to e-mail addresses", staff));
    }
    SECTION("addresses reach a file outbox too") {
        f.runbook.communications[0].channel = "file";
        std::int64_t frontline = f.notice("frontline", "frontline-briefing", "email", {"h@x"});
        auto clears = plan_all_clears(*f.store, &f.runbook, f.close());
        REQUIRE(clears.size() == 1);
        CHECK(clears[0].recipients_of == frontline);
        CHECK(clears[0].blocked.empty());
    }
}

TEST_CASE("all_clear::plan details") {
    Fixture f;
    f.notice("customers", "customer-first-notice", "email", {"a@x.example", "b@x.example"});
    f.notice("staff", "staff-alert", "email", {"all@x.example"});

    SECTION("a withheld note stays withheld") {
        f.runbook.communications.back().withhold = {"note"};
        auto clears = plan_all_clears(*f.store, &f.runbook, f.close());
        REQUIRE(f.audiences(clears) == std::vector<std::string>{"customers", "staff"});
        CHECK_FALSE(clears[1].note);
    }
    SECTION("below the plan's minimum now: sent anyway, the audience was told") {
        f.assess(0); // SEV3
        auto clears = plan_all_clears(*f.store, &f.runbook, f.close());
        REQUIRE(clears.size() == 2);
        CHECK(clears[0].force); // customers from SEV2
        CHECK_FALSE(clears[1].force);
        CHECK(all_clear_request(f.id, clears[0]).force);
    }
    SECTION("without the runbook the last notices decide") {
        auto clears = plan_all_clears(*f.store, nullptr, f.close());
        REQUIRE(f.audiences(clears) == std::vector<std::string>{"customers", "staff"});
        CHECK(clears[0].template_name == "customer-all-clear");
        CHECK(clears[0].outside_plan);
        CHECK(clears[1].template_name == "staff-alert");
        CHECK(clears[1].channel == "email");
        CHECK(clears[1].recipients_of);
    }
}
