#pragma once

#include "outage/model/incident.hpp"

namespace outage {

// An ETA is when service should be back: a time still to come. Refuses, with Error(usage)
// naming --eta, one that has already passed (`--eta 2026-11-22T09:00` at 11:00). An HH:MM
// never has: parse_when takes one already past today as tomorrow's.
void check_eta(Timestamp eta, Timestamp now);

// The same, and refuses one before the incident opened (a clock moved back with OUTAGE_NOW, or
// another machine's). `update --eta` and `notify --eta` call it with the incident they read.
void check_eta(const Incident& incident, Timestamp eta, Timestamp now);

} // namespace outage
