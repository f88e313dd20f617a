package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/chat"
	"github.com/suara-id/suara/internal/config"
	"github.com/suara-id/suara/internal/tenant"
)

// DemoPassword is every demo account's password. It exists only in the
// demo seed (and the README); real sign-ups refuse it as too common.
const DemoPassword = "suara-demo"

// demoPaths are where each demo tenant's branch admin and officer sit: the
// first province and its first workplace unit in the manifest.
func demoPaths(m *tenant.Manifest) (province, unit string) {
	if len(m.Org.Children) == 0 {
		return m.Slug, m.Slug
	}
	p := m.Org.Children[0]
	province, unit = m.Slug+"/"+p.Slug, m.Slug+"/"+p.Slug
	if len(p.Children) > 0 {
		c := p.Children[0]
		unit = province + "/" + c.Slug
		if len(c.Children) > 0 {
			unit += "/" + c.Children[0].Slug
		}
	}
	return province, unit
}

// SeedDemo creates the demo accounts on every tenant and the platform;
// running it again changes nothing.
func SeedDemo(ctx context.Context, cfg *config.Config, log *slog.Logger, out io.Writer) error {
	fsys, dir := tenantsFS(cfg)
	bundle, err := tenant.LoadBundle(fsys, dir)
	if err != nil {
		return err
	}
	bdb, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer bdb.Close()
	c, err := newCore(ctx, cfg, log, bdb)
	if err != nil {
		return err
	}
	accounts, resolver, caseSvc := c.accounts, c.resolver, c.cases
	hash, err := accounts.HashPassword(DemoPassword)
	if err != nil {
		return err
	}
	// Demo cases are classified like any other: an insert-only queue
	// enqueues the jobs, which the server's workers then run.
	if _, err := newJobs(ctx, cfg, log, bdb, caseSvc, c.chat, 0, nil); err != nil {
		return err
	}
	created, demoCases := 0, 0
	for i := range bundle.Manifests {
		m := &bundle.Manifests[i]
		t := resolver.BySlug(m.Slug)
		if t == nil {
			return fmt.Errorf("tenant %s is not provisioned: run `suara tenants apply` first", m.Slug)
		}
		province, unit := demoPaths(m)
		accts := []auth.NewAccount{
			{Name: "Admin " + m.ShortName, Email: "admin@" + m.Slug + ".example", Role: "federation_admin"},
			{Name: "Admin Cabang " + m.ShortName, Email: "branch@" + m.Slug + ".example", Role: "branch_admin", BranchPath: province},
			{Name: "Petugas " + m.ShortName, Email: "officer@" + m.Slug + ".example", Role: "case_officer", BranchPath: unit},
			{Name: "Siti Rahayu", Phone: "081200000001", Role: "worker"},
			{Name: "Budi Santoso", Phone: "081200000002", Role: "worker"},
			{Name: "Dewi Lestari", Phone: "081200000003", Role: "worker"},
		}
		var workers []*auth.Principal
		for _, a := range accts {
			a.Password, a.PasswordHash, a.SkipStrengthCheck = DemoPassword, hash, true
			u, isNew, err := accounts.CreateAccount(ctx, t, a)
			if err != nil {
				return fmt.Errorf("demo account %s%s on %s: %w", a.Email, a.Phone, m.Slug, err)
			}
			if isNew {
				created++
			}
			if a.Role == "worker" {
				workers = append(workers, &auth.Principal{UserID: u.ID, TenantID: t.ID, Kind: "worker", Name: u.Name})
			}
		}
		n, err := caseSvc.SeedDemo(ctx, t, workers, unit)
		if err != nil {
			return fmt.Errorf("demo cases on %s: %w", m.Slug, err)
		}
		demoCases += n
		if m.Slug == "spn" {
			// A WhatsApp channel anyone can try with curl (docs/whatsapp.md).
			// The Graph API is not reachable from a demo machine: replies
			// wait in the outbox with the delivery error on the channel page.
			if err := c.chat.SeedChannel(ctx, t.ID, chat.WhatsApp, chat.Config{VerifyToken: "suara-demo-verify",
				AppSecret: "suara-demo-secret", AccessToken: "suara-demo-token", PhoneNumberID: "100000000000001",
				APIBase: chat.DefaultGraphBase}); err != nil {
				return fmt.Errorf("demo whatsapp channel: %w", err)
			}
		}
	}
	for _, a := range []auth.NewAccount{
		{Name: "ILO Analyst", Email: "ilo@platform.example", Role: "ilo_analyst"},
		{Name: "Platform Root", Email: "root@platform.example", Role: "platform_admin"},
	} {
		a.Password, a.PasswordHash, a.SkipStrengthCheck = DemoPassword, hash, true
		_, isNew, err := accounts.CreatePlatformAccount(ctx, a)
		if err != nil {
			return fmt.Errorf("demo account %s: %w", a.Email, err)
		}
		if isNew {
			created++
		}
	}
	fmt.Fprintf(out, "demo seed: %d accounts and %d cases created; every demo password is %q\n", created, demoCases, DemoPassword)
	fmt.Fprintln(out, "  staff:   admin@<slug>.example, branch@<slug>.example, officer@<slug>.example")
	fmt.Fprintln(out, "  workers: 081200000001, 081200000002, 081200000003 (on every union)")
	fmt.Fprintln(out, "  platform: ilo@platform.example, root@platform.example")
	return nil
}

// CreateAdmin creates a tenant federation admin (tenantSlug set) or a
// platform admin (tenantSlug empty), for a real deployment without the demo.
func CreateAdmin(ctx context.Context, cfg *config.Config, log *slog.Logger, tenantSlug, email, name, password string, out io.Writer) error {
	bdb, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer bdb.Close()
	c, err := newCore(ctx, cfg, log, bdb)
	if err != nil {
		return err
	}
	accounts := c.accounts
	if tenantSlug == "" {
		_, isNew, err := accounts.CreatePlatformAccount(ctx, auth.NewAccount{Name: name, Email: email, Password: password, Role: "platform_admin"})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "platform admin %s: created=%t\n", email, isNew)
		return nil
	}
	t := c.resolver.BySlug(tenantSlug)
	if t == nil {
		return fmt.Errorf("no active tenant %q", tenantSlug)
	}
	_, isNew, err := accounts.CreateAccount(ctx, t, auth.NewAccount{Name: name, Email: email, Password: password, Role: "federation_admin"})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "federation admin %s on %s: created=%t\n", email, tenantSlug, isNew)
	return nil
}
