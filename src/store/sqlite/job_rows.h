// Mapping between sync_jobs rows and Job values, shared by the driver's files.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "snapq/job.h"
#include "snapq/store.h"
#include "store/sqlite/sqlite_db.h"

namespace snapq::sqlite {

// The column list every job SELECT / RETURNING uses, in readJob's order.
extern const std::string kJobColumns;
Job readJob(const Stmt& row);

// "('failed','conflict')": the states a transition may start from, taken from
// the state machine so the SQL guards cannot drift from it.
std::string allowedFromSql(Transition t);

std::string iso(TimePoint t);
// A JSON array of strings, for binding lists through json_each().
std::string jsonArray(const std::vector<std::string>& items);
std::string jsonArray(const std::vector<int64_t>& ids);
// Appends a history row.
Status insertEvent(Db& db, int64_t job_id, TimePoint at, const std::string& type,
                   const std::string& message, const Actor& actor);
// Inserts jobs (one returned per job, in order; deduplicated by their
// unique or idempotency key) in the caller's transaction.
Result<std::vector<InsertedJob>> insertNewJobs(Db& db, const std::vector<NewJob>& jobs, TimePoint now);
// The follow-ups of a job that reached a final state; `inserted` turns true when there were any.
Status insertFollowUps(Db& db, const FollowUps& follow_ups, const Job& after, TimePoint now, bool& inserted);
Status insertAdminAction(Db& db, TimePoint at, const Actor& actor, const std::string& action,
                         const std::string& target_type, const std::string& target_id,
                         const std::string& details_json, const std::string& address);

}  // namespace snapq::sqlite
