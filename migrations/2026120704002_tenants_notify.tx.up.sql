-- Every change to the tenants table (a union added, renamed, suspended, a
-- domain added) tells every listening `serve` replica to reload its host →
-- tenant map at once (tenant.Resolver.Listen), instead of at its next
-- 30-second refresh. The payload is empty: listeners reload everything.
CREATE FUNCTION tenants_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('suara_tenants', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER tenants_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tenants
    FOR EACH STATEMENT EXECUTE FUNCTION tenants_changed();
