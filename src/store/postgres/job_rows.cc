#include "store/postgres/job_rows.h"

namespace snapq::pg {

const std::string kFinishedSql = "status <> 'queued' AND status <> 'running'";
const std::vector<std::string> kStatusPartsSql = {kFinishedSql, "status = 'queued'", "status = 'running'"};

std::string unionOfStatusParts(const std::function<std::string(const std::string& part)>& select) {
  std::string sql;
  for (const std::string& part : kStatusPartsSql) sql += (sql.empty() ? "" : " UNION ALL ") + select(part);
  return sql;
}

const std::string kJobColumns =
    "id, service, instance, action, kind, target_type, target_id, status, attempts, max_attempts, "
    "priority, queue, trigger_source, actor_type, actor_name, payload, result, error, progress, "
    "expected_hash, override_conflict, " +
    epochMs("created_at") + ", " + epochMs("run_at") + ", " + epochMs("started_at") + ", " + epochMs("finished_at") +
    ", duration_ms, locked_by, " + epochMs("lease_until") + ", sealed_payload";

Job readJob(const Rows& rows, int r) {
  Job j;
  j.id = rows.int64(r, 0);
  j.service = rows.text(r, 1);
  j.instance = rows.text(r, 2);
  j.action = rows.text(r, 3);
  j.kind = parseJobKind(rows.text(r, 4)).value_or(JobKind::custom);
  j.target_type = rows.text(r, 5);
  j.target_id = rows.text(r, 6);
  j.status = parseJobStatus(rows.text(r, 7)).value_or(JobStatus::queued);
  j.attempts = static_cast<int>(rows.int64(r, 8));
  j.max_attempts = static_cast<int>(rows.int64(r, 9));
  j.priority = static_cast<int>(rows.int64(r, 10));
  j.queue = rows.text(r, 11);
  j.trigger_source = parseTriggerSource(rows.text(r, 12)).value_or(TriggerSource::manual);
  j.actor.type = parseActorType(rows.text(r, 13)).value_or(ActorType::system);
  j.actor.name = rows.text(r, 14);
  j.payload = rows.text(r, 15);
  j.result = rows.text(r, 16);
  j.error = rows.text(r, 17);
  j.progress = rows.text(r, 18);
  j.expected_hash = rows.text(r, 19);
  j.override_conflict = rows.boolean(r, 20);
  j.created_at = rows.time(r, 21);
  j.run_at = rows.time(r, 22);
  j.started_at = rows.optTime(r, 23);
  j.finished_at = rows.optTime(r, 24);
  if (!rows.isNull(r, 25)) j.duration_ms = rows.int64(r, 25);
  j.locked_by = rows.text(r, 26);
  j.lease_until = rows.optTime(r, 27);
  j.sealed_payload = rows.bytes(r, 28);
  return j;
}

namespace {

// "'a', 'b'": the states transition `t` may start from (`allowed`) or may not.
std::string statusList(Transition t, bool allowed) {
  std::string out;
  for (JobStatus s : kAllJobStatuses) {
    if (transitionAllowed(t, s) != allowed) continue;
    if (!out.empty()) out += ", ";
    out += "'";
    out += toString(s);
    out += "'";
  }
  return out;
}

}  // namespace

std::string allowedFromSql(Transition t) { return "(" + statusList(t, true) + ")"; }

std::string byIdGuardSql(Transition t, const std::string& alias) {
  std::string others = statusList(t, false);
  if (others.empty()) return "true";
  return "(" + alias + "status || '') NOT IN (" + others + ")";
}

Status insertEvent(Conn& conn, int64_t job_id, TimePoint at, const std::string& type, const std::string& message,
                   const Actor& actor) {
  static const std::string sql =
      "INSERT INTO sync_job_events (job_id, at, type, message, actor_type, actor_name) "
      "VALUES ($1, $2, $3, $4, $5, $6)";
  Params p;
  p.int64(job_id).time(at).text(type).text(message).text(toString(actor.type)).text(actor.name);
  return conn.query(sql, p).status();
}

Status insertAdminAction(Conn& conn, TimePoint at, const Actor& actor, const std::string& action,
                         const std::string& target_type, const std::string& target_id, const std::string& details_json,
                         const std::string& address) {
  static const std::string sql =
      "INSERT INTO admin_actions (at, actor_type, actor_name, action, target_type, target_id, details, address) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
  Params p;
  p.time(at)
      .text(toString(actor.type))
      .text(actor.name)
      .text(action)
      .text(target_type)
      .text(target_id)
      .text(details_json)
      .text(address);
  return conn.query(sql, p).status();
}

}  // namespace snapq::pg
