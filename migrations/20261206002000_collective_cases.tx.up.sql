-- A reporter may let others join their case ("add my voice"): only such
-- collective cases are ever hinted at to other workers before they file,
-- and only they take supporters. Anonymous and confidential cases never
-- are: a hint about them would tell a stranger what someone reported.
ALTER TABLE cases ADD COLUMN collective boolean NOT NULL DEFAULT false;
ALTER TABLE cases ADD CONSTRAINT cases_collective_named CHECK (NOT collective OR safety_mode = 'named');
