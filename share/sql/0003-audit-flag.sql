-- 0003-audit-flag: break-glass.  An entry written by a command run with
-- --emergency "reason" carries the reason, so the compliance officer can
-- list them (pms-audit log --flagged); '' on every ordinary entry.  The
-- chain's hash covers it (lib/audit.c).
ALTER TABLE audit ADD COLUMN flag TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_flagged ON audit (id) WHERE flag <> '';
