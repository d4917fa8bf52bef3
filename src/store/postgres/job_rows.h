// Mapping between sync_jobs rows and Job values, shared by the driver's files.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "snapq/job.h"
#include "snapq/store.h"
#include "store/postgres/pg_conn.h"

namespace snapq::pg {

// The column list every job SELECT / RETURNING uses, in readJob's order;
// timestamps come back as epoch milliseconds.
extern const std::string kJobColumns;
Job readJob(const Rows& rows, int row);

// sync_jobs as its partial indexes split it: finished jobs (the audit indexes
// of migration 8 and the search's trigram index), queued ones
// (sync_jobs_claim) and running ones (sync_jobs_running). A query over jobs of
// every status that filters by an indexed column reads each part apart.
extern const std::string kFinishedSql;
extern const std::vector<std::string> kStatusPartsSql;
// `select(part)` for each status part, joined by UNION ALL.
std::string unionOfStatusParts(const std::function<std::string(const std::string& part)>& select);

// "('failed', 'conflict')": the states a transition may start from, taken from
// the state machine so the SQL guards cannot drift from it.
std::string allowedFromSql(Transition t);
// The state machine's guard for an UPDATE that names its rows by id:
// "(status || '') NOT IN (<every status it may not leave>)". Spelled so the
// planner cannot match it to a partial index's status predicate: with
// statistics a second old (a queue table changes by thousands of rows a
// second) it would read every queued or running row, dead ones included,
// through sync_jobs_claim or sync_jobs_running and filter by id, instead of
// looking the ids up in the primary key. And as NOT IN: the planner, which has
// no statistics for the expression, then estimates that it keeps nearly every
// row (IN kept 0.5 %): with "IN ('running')" a completion of 983 jobs, planned
// for its size, scanned the few running rows it expected and compared each
// with every completion, 1.4 million pairs and 150-300 ms, instead of probing
// the primary key 983 times. `alias`: the table's alias with its dot ("j."),
// or empty.
std::string byIdGuardSql(Transition t, const std::string& alias = "");

// Appends a history row.
Status insertEvent(Conn& conn, int64_t job_id, TimePoint at, const std::string& type, const std::string& message,
                   const Actor& actor);
// Inserts jobs (one returned per job, in order; deduplicated by their
// unique or idempotency key) in the caller's transaction, and wakes workers.
Result<std::vector<InsertedJob>> insertNewJobs(Conn& conn, const std::vector<NewJob>& jobs, TimePoint now);
// The follow-ups of a job that reached a final state.
Status insertFollowUps(Conn& conn, const FollowUps& follow_ups, const Job& after, TimePoint now);
Status insertAdminAction(Conn& conn, TimePoint at, const Actor& actor, const std::string& action,
                         const std::string& target_type, const std::string& target_id, const std::string& details_json,
                         const std::string& address);

}  // namespace snapq::pg
