#include "store/sqlite/job_rows.h"

#include <nlohmann/json.hpp>

#include "core/time_format.h"

namespace snapq::sqlite {

const std::string kJobColumns =
    "id, service, instance, action, kind, target_type, target_id, status, attempts, max_attempts, "
    "priority, queue, trigger_source, actor_type, actor_name, payload, result, error, progress, "
    "expected_hash, override_conflict, created_at, run_at, started_at, finished_at, duration_ms, "
    "locked_by, lease_until, sealed_payload";

namespace {
TimePoint timeAt(const Stmt& row, int col) { return parseIso(row.text(col)).value_or(TimePoint{}); }
std::optional<TimePoint> optTimeAt(const Stmt& row, int col) {
  if (row.isNull(col)) return std::nullopt;
  return parseIso(row.text(col));
}
}  // namespace

Job readJob(const Stmt& row) {
  Job j;
  j.id = row.int64(0);
  j.service = row.text(1);
  j.instance = row.text(2);
  j.action = row.text(3);
  j.kind = parseJobKind(row.text(4)).value_or(JobKind::custom);
  j.target_type = row.text(5);
  j.target_id = row.text(6);
  j.status = parseJobStatus(row.text(7)).value_or(JobStatus::queued);
  j.attempts = static_cast<int>(row.int64(8));
  j.max_attempts = static_cast<int>(row.int64(9));
  j.priority = static_cast<int>(row.int64(10));
  j.queue = row.text(11);
  j.trigger_source = parseTriggerSource(row.text(12)).value_or(TriggerSource::manual);
  j.actor.type = parseActorType(row.text(13)).value_or(ActorType::system);
  j.actor.name = row.text(14);
  j.payload = row.text(15);
  j.result = row.text(16);
  j.error = row.text(17);
  j.progress = row.text(18);
  j.expected_hash = row.text(19);
  j.override_conflict = row.int64(20) != 0;
  j.created_at = timeAt(row, 21);
  j.run_at = timeAt(row, 22);
  j.started_at = optTimeAt(row, 23);
  j.finished_at = optTimeAt(row, 24);
  if (!row.isNull(25)) j.duration_ms = row.int64(25);
  j.locked_by = row.text(26);
  j.lease_until = optTimeAt(row, 27);
  j.sealed_payload = row.blob(28);
  return j;
}

std::string allowedFromSql(Transition t) {
  std::string out = "(";
  for (JobStatus s : kAllJobStatuses) {
    if (!transitionAllowed(t, s)) continue;
    if (out.size() > 1) out += ", ";
    out += "'";
    out += toString(s);
    out += "'";
  }
  return out + ")";
}

std::string iso(TimePoint t) { return formatIso(t); }

std::string jsonArray(const std::vector<std::string>& items) { return nlohmann::json(items).dump(); }

std::string jsonArray(const std::vector<int64_t>& ids) { return nlohmann::json(ids).dump(); }

Status insertEvent(Db& db, int64_t job_id, TimePoint at, const std::string& type,
                   const std::string& message, const Actor& actor) {
  auto stmt = db.prepare(
      "INSERT INTO sync_job_events (job_id, at, type, message, actor_type, actor_name) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!stmt) return stmt.status();
  (*stmt)->bind(1, job_id).bind(2, iso(at)).bind(3, type).bind(4, message)
      .bind(5, toString(actor.type)).bind(6, actor.name);
  return (*stmt)->run();
}

Status insertAdminAction(Db& db, TimePoint at, const Actor& actor, const std::string& action,
                         const std::string& target_type, const std::string& target_id,
                         const std::string& details_json, const std::string& address) {
  auto stmt = db.prepare(
      "INSERT INTO admin_actions (at, actor_type, actor_name, action, target_type, target_id, "
      "details, address) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!stmt) return stmt.status();
  (*stmt)->bind(1, iso(at)).bind(2, toString(actor.type)).bind(3, actor.name).bind(4, action)
      .bind(5, target_type).bind(6, target_id).bind(7, details_json).bind(8, address);
  return (*stmt)->run();
}

}  // namespace snapq::sqlite
