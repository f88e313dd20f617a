-- Union self-service and platform onboarding (issue 20).
--
-- tenants: when a union was suspended (its pages show a notice, logins and
-- filings stop, its data stays) and when it was last exported from the
-- console; removal needs an export made after the suspension.
ALTER TABLE tenants ADD COLUMN suspended_at timestamptz;
ALTER TABLE tenants ADD COLUMN exported_at timestamptz;

-- Staff invites by phone: the link goes out by SMS or WhatsApp, and the
-- account it creates signs in with that phone. An invite names an email or
-- a phone ('' email for a phone invite, as the column is NOT NULL).
ALTER TABLE invites ADD COLUMN phone text CHECK (phone ~ '^\+628[0-9]{7,11}$');
ALTER TABLE invites ADD CONSTRAINT invites_contact CHECK (email <> '' OR phone IS NOT NULL);

-- The first federation admin of a union created from the platform console
-- is invited by a platform admin, who is no user of the union.
ALTER TABLE invites ALTER COLUMN invited_by DROP NOT NULL;

-- A staff account made from a phone invite signs in with its phone.
DO $$
DECLARE c text;
BEGIN
    SELECT conname INTO c FROM pg_constraint
     WHERE conrelid = 'users'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%staff%email IS NOT NULL%';
    IF c IS NOT NULL THEN
        EXECUTE format('ALTER TABLE users DROP CONSTRAINT %I', c);
    END IF;
END $$;
ALTER TABLE users ADD CONSTRAINT users_staff_contact CHECK (kind <> 'staff' OR email IS NOT NULL OR phone IS NOT NULL);
