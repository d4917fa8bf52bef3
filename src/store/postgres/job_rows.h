// Mapping between sync_jobs rows and Job values, shared by the driver's files.
#pragma once

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

// "('failed', 'conflict')": the states a transition may start from, taken from
// the state machine so the SQL guards cannot drift from it.
std::string allowedFromSql(Transition t);

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
