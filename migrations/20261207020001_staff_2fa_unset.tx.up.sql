-- A union's require_staff_2fa is now its own choice, with "unset" meaning
-- the platform's default (on in production). Every tenant row stored the
-- old boolean's zero value, false, which meant "no choice made": drop it,
-- so those unions follow the platform default rather than read as having
-- opted out. A stored true (a union that asked for it) stays.
UPDATE tenants SET settings = settings - 'require_staff_2fa'
WHERE settings -> 'require_staff_2fa' = 'false'::jsonb;
