-- A log written by outage 0.1.0 (tests/data/logs/make_legacy_log.py).
PRAGMA user_version = 2;
BEGIN TRANSACTION;
CREATE TABLE assessments (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    answers     TEXT NOT NULL,                    -- JSON object question id -> answer
    severity    TEXT NOT NULL CHECK (severity IN ('SEV1', 'SEV2', 'SEV3', 'SEV4')),
    rule        TEXT NOT NULL                     -- the rule that decided it (the rationale)
);
INSERT INTO "assessments" VALUES(1,1,'2026-11-22T10:10:00Z','alice','{"people":12,"realtime":"no","reporter":"Ann","samples_at_risk":"no","scope":"room"}','SEV2','many-people');
INSERT INTO "assessments" VALUES(2,1,'2026-11-22T10:45:00Z','alice','{"people":40,"realtime":"yes","reporter":"Ann","samples_at_risk":"yes","scope":"floor"}','SEV1','whole-floor-or-samples');
INSERT INTO "assessments" VALUES(3,2,'2026-11-22T12:05:00Z','alice','{"people":12,"realtime":"no","reporter":"Ann","samples_at_risk":"no","scope":"room"}','SEV2','many-people');
CREATE TABLE deadlines (
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    name        TEXT NOT NULL,
    title       TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    due_at      TEXT NOT NULL,
    met_at      TEXT,
    note        TEXT,
    PRIMARY KEY (incident_id, name)
);
INSERT INTO "deadlines" VALUES(1,'sample-owner','Tell sample owners','2026-11-22T10:45:00Z','2026-11-23T10:45:00Z','2026-11-22T10:50:00Z','Called them');
INSERT INTO "deadlines" VALUES(2,'insurer','Tell the insurer','2026-11-22T12:00:00Z','2026-11-24T12:00:00Z',NULL,NULL);
INSERT INTO "deadlines" VALUES(1,'insurer','Tell the insurer','2026-11-22T10:00:00Z','2026-11-24T10:00:00Z','2026-11-25T10:00:00Z',NULL);
CREATE TABLE deliveries (
    id          INTEGER PRIMARY KEY,
    notice_id   INTEGER NOT NULL REFERENCES notices(id),
    recipient   TEXT NOT NULL,
    lang        TEXT NOT NULL,
    fields      TEXT NOT NULL DEFAULT '{}',       -- the recipient's own columns
    state       TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    updated_at  TEXT NOT NULL,
    sent_at     TEXT,
    UNIQUE (notice_id, recipient)
);
INSERT INTO "deliveries" VALUES(1,1,'','en','{}','sent',1,NULL,'2026-11-22T10:55:00Z','2026-11-22T10:55:00Z');
INSERT INTO "deliveries" VALUES(2,2,'ann@acme.example','en','{}','sent',1,NULL,'2026-11-22T11:00:00Z','2026-11-22T11:00:00Z');
INSERT INTO "deliveries" VALUES(3,2,'bo@acme.example','en','{}','sent',1,NULL,'2026-11-22T11:00:00Z','2026-11-22T11:00:00Z');
INSERT INTO "deliveries" VALUES(4,3,'cy@acme.example','en','{}','sent',1,NULL,'2026-11-22T12:15:00Z','2026-11-22T12:15:00Z');
INSERT INTO "deliveries" VALUES(5,3,'di@acme.example','en','{}','sent',1,NULL,'2026-11-22T12:15:00Z','2026-11-22T12:15:00Z');
CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    at          TEXT NOT NULL,
    kind        TEXT NOT NULL,
    actor       TEXT NOT NULL,
    payload     TEXT NOT NULL DEFAULT '{}',
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
INSERT INTO "events" VALUES(1,1,'2026-11-22T10:00:00Z','opened','alice','{"affected":12,"dedup_key":"flood-2","note":"Water on the floor","owner":"alice","scenario":"lab-flood","services":["lab"],"title":"Flood in lab 2"}','0000000000000000000000000000000000000000000000000000000000000000','54d25fece779decaf7a9977552cf66a532a1f9dfb48e8374de6ce5d83ac6371e');
INSERT INTO "events" VALUES(2,1,'2026-11-22T10:00:00Z','deadline_started','alice','{"deadline":"insurer","due_at":"2026-11-24T10:00:00Z","title":"Tell the insurer"}','54d25fece779decaf7a9977552cf66a532a1f9dfb48e8374de6ce5d83ac6371e','72c8cbedf214e3bcb2f83ccafed925a999e392065547386ffbf92abb18385d2b');
INSERT INTO "events" VALUES(3,1,'2026-11-22T10:05:00Z','retriggered','alice','{"dedup_key":"flood-2","title":"Flood again"}','72c8cbedf214e3bcb2f83ccafed925a999e392065547386ffbf92abb18385d2b','a765110d8e78907b3149cdd3fd23d0ee54bc838bfaf5fe02759867ed4348bdbd');
INSERT INTO "events" VALUES(4,1,'2026-11-22T10:10:00Z','assessed','alice','{"answers":{"people":12,"realtime":"no","reporter":"Ann","samples_at_risk":"no","scope":"room"},"next_update_due":"2026-11-22T11:10:00Z","rule":"many-people","severity":"SEV2"}','a765110d8e78907b3149cdd3fd23d0ee54bc838bfaf5fe02759867ed4348bdbd','54dfbf4c89b79612ca6fba553ee9a534555852d3c7bee74fdcdf81f5797814f0');
INSERT INTO "events" VALUES(5,1,'2026-11-22T10:10:00Z','severity_changed','alice','{"from":null,"rule":"many-people","to":"SEV2"}','54dfbf4c89b79612ca6fba553ee9a534555852d3c7bee74fdcdf81f5797814f0','9f3c936526c25e41760bbd4fce1c4afd5b2f0b7f2ea2b85e02cc43b9cbbe8e4f');
INSERT INTO "events" VALUES(6,1,'2026-11-22T10:20:00Z','updated','alice','{"eta":"2026-11-22T12:20:00Z","next_update_due":"2026-11-22T11:20:00Z","note":"Pumps on","status":"identified"}','9f3c936526c25e41760bbd4fce1c4afd5b2f0b7f2ea2b85e02cc43b9cbbe8e4f','3512bfdba02fd99a37db86a09b18c4ff5c1c25f0e019d5ba3e899371f6e859b3');
INSERT INTO "events" VALUES(7,1,'2026-11-22T10:30:00Z','handoff','alice','{"from":"alice","note":"Samples moved","to":"bob"}','3512bfdba02fd99a37db86a09b18c4ff5c1c25f0e019d5ba3e899371f6e859b3','cce13ac066e3b1702fd3eae56a7850908c52e65f0dbed21b0e39d4a95aba7e3e');
INSERT INTO "events" VALUES(8,1,'2026-11-22T10:35:00Z','acknowledged','bob','{"handed_off_at":"2026-11-22T10:30:00Z","owner":"bob"}','cce13ac066e3b1702fd3eae56a7850908c52e65f0dbed21b0e39d4a95aba7e3e','5e4fef3b220676aca0fcea054199cd46c530eb9d91eb1a856b0ec0c16d01b931');
INSERT INTO "events" VALUES(9,1,'2026-11-22T10:40:00Z','step','alice','{"note":"Breaker 4","state":"done","step":"power-off"}','5e4fef3b220676aca0fcea054199cd46c530eb9d91eb1a856b0ec0c16d01b931','2de44a6c8fb7ac33eeb1f4df2b118ae56edbd772c70dc73b53272dfc456cfaba');
INSERT INTO "events" VALUES(10,1,'2026-11-22T10:41:00Z','step','alice','{"state":"skipped","step":"move-samples"}','2de44a6c8fb7ac33eeb1f4df2b118ae56edbd772c70dc73b53272dfc456cfaba','09edcd17ecb24e02f87a38d5d8f1888b9bdba7c1074834b9bb4aeac9f6b9c382');
INSERT INTO "events" VALUES(11,1,'2026-11-22T10:45:00Z','assessed','alice','{"answers":{"people":40,"realtime":"yes","reporter":"Ann","samples_at_risk":"yes","scope":"floor"},"next_update_due":"2026-11-22T11:00:00Z","rule":"whole-floor-or-samples","severity":"SEV1"}','09edcd17ecb24e02f87a38d5d8f1888b9bdba7c1074834b9bb4aeac9f6b9c382','16255120e02dad974d3657f91f927074642934849841cdfd6f7fcd3825ce1b71');
INSERT INTO "events" VALUES(12,1,'2026-11-22T10:45:00Z','severity_changed','alice','{"from":"SEV2","rule":"whole-floor-or-samples","to":"SEV1"}','16255120e02dad974d3657f91f927074642934849841cdfd6f7fcd3825ce1b71','bf1932104b87aca34f94a99d026c0cbcb177939873a926952cc7005a3ebe9bf9');
INSERT INTO "events" VALUES(13,1,'2026-11-22T10:45:00Z','deadline_started','alice','{"deadline":"sample-owner","due_at":"2026-11-23T10:45:00Z","title":"Tell sample owners"}','bf1932104b87aca34f94a99d026c0cbcb177939873a926952cc7005a3ebe9bf9','9ec07d897569cc4dd7f0fd73e5cd3d42bfa576d45db0dcd180f23404d2607848');
INSERT INTO "events" VALUES(14,1,'2026-11-22T10:50:00Z','deadline_met','alice','{"deadline":"sample-owner","due_at":"2026-11-23T10:45:00Z","late":false,"note":"Called them"}','9ec07d897569cc4dd7f0fd73e5cd3d42bfa576d45db0dcd180f23404d2607848','bd654e451309cc6b3970e202602683eabd43ab902af4c316a0bfdf9953d8fd94');
INSERT INTO "events" VALUES(15,1,'2026-11-22T10:55:00Z','notice','alice','{"audience":"frontline","channel":"stdout","note":"Lab 2 closed","notice":1,"recipients":1,"template":"frontline-briefing"}','bd654e451309cc6b3970e202602683eabd43ab902af4c316a0bfdf9953d8fd94','73e278bad3538e27d43c778f2981fe0339da9af6e5265c6c110d480d094d86f8');
INSERT INTO "events" VALUES(16,1,'2026-11-22T10:55:00Z','notice_sent','alice','{"attempted":1,"audience":"frontline","failed":0,"notice":1,"pending":0,"sent":1}','73e278bad3538e27d43c778f2981fe0339da9af6e5265c6c110d480d094d86f8','6054b46c6e4196ba6a069ddf3308a9b18951ffb419421c56bf635b68a3c89674');
INSERT INTO "events" VALUES(17,1,'2026-11-22T11:00:00Z','notice','alice','{"audience":"customers","channel":"stdout","next_update_due":"2026-11-22T11:15:00Z","notice":2,"recipients":2,"template":"customer-first-notice"}','6054b46c6e4196ba6a069ddf3308a9b18951ffb419421c56bf635b68a3c89674','75880a2b0676c9631d757b9affc369b8374d7183b163ac330e9725be661e3294');
INSERT INTO "events" VALUES(18,1,'2026-11-22T11:00:00Z','notice_sent','alice','{"attempted":2,"audience":"customers","failed":0,"notice":2,"pending":0,"sent":2}','75880a2b0676c9631d757b9affc369b8374d7183b163ac330e9725be661e3294','dfb170d51ce3352e0a6219548271726834798e9f1f0f94e399eae0acbe0da8af');
INSERT INTO "events" VALUES(19,2,'2026-11-22T12:00:00Z','opened','alice','{"owner":"alice","scenario":"lab-flood","services":[],"title":"Freezer alarm"}','dfb170d51ce3352e0a6219548271726834798e9f1f0f94e399eae0acbe0da8af','8e6761734cb3efe8f2fb27cc9f2cfa4858490ce69b456cec42196de6621b9226');
INSERT INTO "events" VALUES(20,2,'2026-11-22T12:00:00Z','deadline_started','alice','{"deadline":"insurer","due_at":"2026-11-24T12:00:00Z","title":"Tell the insurer"}','8e6761734cb3efe8f2fb27cc9f2cfa4858490ce69b456cec42196de6621b9226','4b503b7c4d8c7fe66c04f890a3bb8bdabf0eb285b04a397c6e10ce3c322c3f9d');
INSERT INTO "events" VALUES(21,2,'2026-11-22T12:05:00Z','assessed','alice','{"answers":{"people":12,"realtime":"no","reporter":"Ann","samples_at_risk":"no","scope":"room"},"next_update_due":"2026-11-22T13:05:00Z","rule":"many-people","severity":"SEV2"}','4b503b7c4d8c7fe66c04f890a3bb8bdabf0eb285b04a397c6e10ce3c322c3f9d','02d83699dc5f65c6ab19a0625b942684bfe6548d0eb1c317b4a2e1b59190fd5d');
INSERT INTO "events" VALUES(22,2,'2026-11-22T12:05:00Z','severity_changed','alice','{"from":null,"rule":"many-people","to":"SEV2"}','02d83699dc5f65c6ab19a0625b942684bfe6548d0eb1c317b4a2e1b59190fd5d','2e8917bacca4482ac092230dc9525e2a42c132569e9dd08bf05c003026aa261b');
INSERT INTO "events" VALUES(23,2,'2026-11-22T12:10:00Z','updated','alice','{"next_update_due":"2026-11-22T13:10:00Z","note":"Engineer on the way"}','2e8917bacca4482ac092230dc9525e2a42c132569e9dd08bf05c003026aa261b','f91769958456302e00da872e02f710cf8f757bfd0226685f784c30d2d4d887f3');
INSERT INTO "events" VALUES(24,2,'2026-11-22T12:15:00Z','notice','alice','{"audience":"customers","channel":"stdout","next_update_due":"2026-11-22T13:15:00Z","notice":3,"recipients":2,"template":"customer-first-notice"}','f91769958456302e00da872e02f710cf8f757bfd0226685f784c30d2d4d887f3','2d2709e7220d2edf8615f1fdfd2221e145334be03680ac5ad36771fa89836707');
INSERT INTO "events" VALUES(25,2,'2026-11-22T12:15:00Z','notice_sent','alice','{"attempted":2,"audience":"customers","failed":0,"notice":3,"pending":0,"sent":2}','2d2709e7220d2edf8615f1fdfd2221e145334be03680ac5ad36771fa89836707','30d55693efe1f39250d029e784cbfa9a410f3c03a494bc1f3bbf362016695b61');
INSERT INTO "events" VALUES(26,1,'2026-11-25T10:00:00Z','deadline_met','alice','{"deadline":"insurer","due_at":"2026-11-24T10:00:00Z","late":true}','30d55693efe1f39250d029e784cbfa9a410f3c03a494bc1f3bbf362016695b61','4c63007cd10dba39fa3d966995764a72d94594b8788631229ce5b2d8885bff5a');
INSERT INTO "events" VALUES(27,1,'2026-11-25T11:00:00Z','closed','alice','{"actions":["Fit a leak sensor"],"recurrence":"unlikely","resolution":"Pumped out","root_cause":"A burst pipe"}','4c63007cd10dba39fa3d966995764a72d94594b8788631229ce5b2d8885bff5a','b540270e87c0ad5a281a90a039b865bac53d395b905f2ae21e8b61c6634fb2f3');
CREATE TABLE incidents (
    id              INTEGER PRIMARY KEY,
    title           TEXT NOT NULL,
    scenario        TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    phase           TEXT NOT NULL CHECK (phase IN ('investigating', 'identified', 'monitoring', 'resolved')),
    severity        TEXT CHECK (severity IN ('SEV1', 'SEV2', 'SEV3', 'SEV4')),
    owner           TEXT,
    services        TEXT NOT NULL DEFAULT '[]',   -- JSON array of names
    affected        INTEGER CHECK (affected >= 0),
    dedup_key       TEXT,
    eta             TEXT,
    opened_at       TEXT NOT NULL,                -- ISO 8601 UTC, like every time in the log
    closed_at       TEXT,
    next_update_due TEXT,
    update_interval INTEGER CHECK (update_interval > 0),  -- seconds, from the last assessment
    handed_off_at   TEXT,
    resolution      TEXT,
    root_cause      TEXT,
    recurrence      TEXT CHECK (recurrence IN ('likely', 'unlikely', 'unknown')),
    actions         TEXT NOT NULL DEFAULT '[]'    -- JSON array of prevention actions
);
INSERT INTO "incidents" VALUES(1,'Flood in lab 2','lab-flood','closed','resolved','SEV1','bob','["lab"]',12,'flood-2','2026-11-22T12:20:00Z','2026-11-22T10:00:00Z','2026-11-25T11:00:00Z',NULL,900,NULL,'Pumped out','A burst pipe','unlikely','["Fit a leak sensor"]');
INSERT INTO "incidents" VALUES(2,'Freezer alarm','lab-flood','open','investigating','SEV2','alice','[]',NULL,NULL,NULL,'2026-11-22T12:00:00Z',NULL,'2026-11-22T13:15:00Z',3600,NULL,NULL,NULL,NULL,'[]');
CREATE TABLE notices (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    identity    TEXT NOT NULL UNIQUE,             -- hash of audience, template, channel, recipients, fields
    audience    TEXT NOT NULL,
    template    TEXT NOT NULL,
    channel     TEXT NOT NULL,
    fields      TEXT NOT NULL,                    -- JSON object of the values filled in
    created_at  TEXT NOT NULL,
    actor       TEXT NOT NULL
);
INSERT INTO "notices" VALUES(1,1,'b07806ab411703d43fc4d4c5ace08bd9318ac6eb5f6a15ac5127ff84e02d60e2','frontline','frontline-briefing','stdout','{"affected":"12","contact":"","eta":"2026-11-22 12:20 UTC","handover_note":"Samples moved","incident_id":"1","internal_note":"","next_update":"2026-11-22 11:00 UTC","note":"Lab 2 closed","opened_at":"2026-11-22 10:00 UTC","organisation":"","owner":"bob","reference":"INC-1","resolution":"","resolved_at":"","root_cause":"","scenario":"lab-flood","scenario_title":"Flood in the lab","services":["lab"],"services_text":"lab","severity":"SEV1","severity_meaning":"The lab cannot work at all.","severity_name":"Critical","status":"identified","supplier":"","title":"Flood in lab 2","update_number":"1","workaround":""}','2026-11-22T10:55:00Z','alice');
INSERT INTO "notices" VALUES(2,1,'8ef32bae1ad2b5af525acdbe6b6137e1ee64169c6ba966d2d9fa3775ba8667d2','customers','customer-first-notice','stdout','{"affected":"12","contact":"","eta":"2026-11-22 12:20 UTC","incident_id":"1","next_update":"2026-11-22 11:00 UTC","note":"","opened_at":"2026-11-22 10:00 UTC","organisation":"","reference":"INC-1","resolved_at":"","services":["lab"],"services_text":"lab","severity":"SEV1","severity_meaning":"The lab cannot work at all.","severity_name":"Critical","status":"identified","update_number":"1","workaround":""}','2026-11-22T11:00:00Z','alice');
INSERT INTO "notices" VALUES(3,2,'84dc3a160398f5d1ad409a5f59a627b53d4cc685f1b53e35a2dd9681807776b6','customers','customer-first-notice','stdout','{"affected":"","contact":"","eta":"","incident_id":"2","next_update":"2026-11-22 13:10 UTC","note":"","opened_at":"2026-11-22 12:00 UTC","organisation":"","reference":"INC-2","resolved_at":"","services":[],"services_text":"","severity":"SEV2","severity_meaning":"Most lab work stops.","severity_name":"Major","status":"investigating","update_number":"1","workaround":""}','2026-11-22T12:15:00Z','alice');
CREATE TABLE step_progress (
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    step_id     TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('done', 'skipped')),
    note        TEXT,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    PRIMARY KEY (incident_id, step_id)
);
INSERT INTO "step_progress" VALUES(1,'power-off','done','Breaker 4','2026-11-22T10:40:00Z','alice');
INSERT INTO "step_progress" VALUES(1,'move-samples','skipped',NULL,'2026-11-22T10:41:00Z','alice');
CREATE UNIQUE INDEX incidents_open_dedup_key ON incidents(dedup_key)
    WHERE status = 'open' AND dedup_key IS NOT NULL;
CREATE INDEX incidents_due ON incidents(next_update_due) WHERE status = 'open';
CREATE INDEX incidents_opened_at ON incidents(opened_at);
CREATE INDEX events_incident ON events(incident_id, id);
CREATE INDEX assessments_incident ON assessments(incident_id, id);
CREATE INDEX deadlines_unmet ON deadlines(due_at) WHERE met_at IS NULL;
CREATE INDEX notices_incident ON notices(incident_id, id);
CREATE INDEX deliveries_unsent ON deliveries(notice_id) WHERE state <> 'sent';
CREATE INDEX incidents_status ON incidents(status, id);
COMMIT;
