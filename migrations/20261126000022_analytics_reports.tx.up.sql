-- Monthly sector reports for ILO staff (issue 8): what a report shows,
-- frozen when it was generated (by the periodic job on the 1st of each
-- month, or on demand in the console), so that a report downloaded later
-- says what it said then. data holds only published cells: dimension
-- values and numbers that already went through disclosure control
-- (internal/analytics), never a case, a person or a date finer than a
-- month. It is a platform table: no tenant owns a report.
CREATE TABLE analytics_reports (
    month        date NOT NULL CHECK (extract(day FROM month) = 1),
    generated_at timestamptz NOT NULL DEFAULT now(),
    k            integer NOT NULL CHECK (k >= 1),
    data         jsonb NOT NULL,
    PRIMARY KEY (month)
);
GRANT SELECT, INSERT, UPDATE ON analytics_reports TO suara_app;
